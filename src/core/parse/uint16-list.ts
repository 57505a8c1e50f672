/**
 * The options visitor's uint16List, as -object's list members (host-nodes, thread-context's
 * affinities) are parsed: each `:`-separated item a number or an ascending `a-b` range (visited
 * as uint64), then each element as uint16, which names no parameter. The four binaries agree.
 */
import { HotmemError } from '../errors.js';

export function checkUint16List(name: string, text: string): void {
  for (const item of text.split(':')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!range || (range[2] !== undefined && Number(range[2]) < Number(range[1]))) {
      throw new HotmemError('parse.invalid-parameter-value', `Parameter '${name}' expects a uint64 value or range`, { property: name });
    }
    if (Number(range[2] ?? range[1]) > 0xffff) throw new HotmemError('parse.invalid-parameter-value', "Parameter 'null' expects uint16_t", { property: name });
  }
}
