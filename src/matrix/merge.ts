/**
 * Joining the results of shards of one matrix run (`hotmem matrix merge`). Shards must come from
 * the same matrix file, hotmem version and filter, with distinct shard numbers of the same
 * count; once every shard is present the merged results equal a whole run's, byte for byte.
 */
import { HotmemError } from '../core/errors.js';
import { summarize, type MatrixResults } from './results.js';

export interface NamedResults {
  readonly file: string;
  readonly results: MatrixResults;
}

const refuse = (message: string): HotmemError => new HotmemError('matrix.cannot-merge', message);

export function mergeResults(parts: readonly NamedResults[]): MatrixResults {
  const [first, ...rest] = parts;
  if (first === undefined) throw refuse('nothing to merge');
  const base = first.results;
  const shardsOf = (p: NamedResults) => {
    const shards = p.results.selection.shards;
    if (!shards) throw refuse(`${p.file} holds a whole run, not a shard: there is nothing to merge it with`);
    return shards;
  };
  const of = shardsOf(first).of;
  const indexes = new Set<number>();
  for (const p of parts) {
    const r = p.results;
    if (r.matrix.digest !== base.matrix.digest)
      throw refuse(`${p.file} is a run of another matrix (or another version of ${base.matrix.file}) than ${first.file}`);
    if (r.hotmem !== base.hotmem) throw refuse(`${p.file} was written by hotmem ${r.hotmem}, ${first.file} by ${base.hotmem}`);
    if (r.selection.filter !== base.selection.filter)
      throw refuse(`${p.file} ran --filter ${r.selection.filter ?? '(none)'}, ${first.file} --filter ${base.selection.filter ?? '(none)'}`);
    const shards = shardsOf(p);
    if (shards.of !== of) throw refuse(`${p.file} is a shard of ${shards.of}, ${first.file} of ${of}`);
    for (const i of shards.indexes) {
      if (indexes.has(i)) throw refuse(`shard ${i}/${of} is given twice (again in ${p.file})`);
      indexes.add(i);
    }
  }
  const cells = [first, ...rest].flatMap((p) => p.results.cells).sort((a, b) => a.index - b.index);
  const complete = indexes.size === of;
  const { shards: _shards, ...selection } = base.selection;
  return {
    ...base,
    selection: complete ? selection : { ...selection, shards: { of, indexes: [...indexes].sort((a, b) => a - b) } },
    summary: summarize(cells),
    cells,
  };
}
