/** The JSON form an option takes when its argument starts with `{` (qobject_from_json). */
import { HotmemError } from '../../core/errors.js';

export function parseJsonOption(arg: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(arg);
  } catch (e) {
    throw new HotmemError('cmdline.json', `JSON parse error, ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HotmemError('cmdline.json', 'Invalid JSON syntax: expected an object');
  }
  return parsed as Record<string, unknown>;
}
