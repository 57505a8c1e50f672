/** Every front end's fuzz target, by name: the short run in `npm test` and `npm run fuzz` both use this list. */
import { cmdlineTarget } from './cmdline.js';
import { qmpStreamTarget } from './qmp-stream.js';
import { virtqueueTarget } from './virtqueue.js';
import { yamlTarget } from './yaml.js';
import type { FuzzTarget } from './target.js';

export const TARGETS: Readonly<Record<string, () => FuzzTarget<unknown>>> = {
  'qmp-stream': () => qmpStreamTarget(),
  'command-line': () => cmdlineTarget(),
  yaml: () => yamlTarget(),
  virtqueue: () => virtqueueTarget(),
};
