/** Every QMP command hotmem implements. */
import type { QmpCommand } from '../session.js';
import { BALLOON_COMMANDS } from './balloon.js';
import { DEVICE_COMMANDS } from './devices.js';
import { MACHINE_COMMANDS } from './machine.js';
import { MIGRATION_COMMANDS } from './migration.js';
import { PROBING_COMMANDS } from './probing.js';
import { QOM_COMMANDS } from './qom.js';
import { VIRTIO_COMMANDS } from './virtio.js';

export const QMP_COMMANDS: readonly QmpCommand[] = [
  ...MACHINE_COMMANDS,
  ...QOM_COMMANDS,
  ...DEVICE_COMMANDS,
  ...VIRTIO_COMMANDS,
  ...BALLOON_COMMANDS,
  ...MIGRATION_COMMANDS,
  ...PROBING_COMMANDS,
];
