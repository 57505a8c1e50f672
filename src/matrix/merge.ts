/**
 * Joining the results of shards of one matrix run (`hotmem matrix merge`). Shards must come from
 * the same matrix file, hotmem version and filter, with distinct shard numbers of the same
 * count; once every shard is present the merged results equal a whole run's, byte for byte.
 * The header is decided from the shards' headers alone, so a merge of files streams their cells
 * (each in index order) into one results file without holding them.
 */
import { HotmemError } from '../core/errors.js';
import { ResultsFileWriter, openResultsFile } from './results-file.js';
import { countStatuses, type CellResult, type CellStatus, type MatrixResults, type ResultsHeader, type Summary } from './results.js';

export interface NamedResults {
  readonly file: string;
  readonly results: Omit<MatrixResults, 'cells'>;
}

const refuse = (message: string): HotmemError => new HotmemError('matrix.cannot-merge', message);

/** The merged results without their cells; refuses shards that do not belong together. */
export function mergedHeader(parts: readonly NamedResults[]): Omit<MatrixResults, 'cells'> {
  const [first] = parts;
  if (first === undefined) throw refuse('nothing to merge');
  const base = first.results;
  const shardsOf = (p: NamedResults) => {
    const shards = p.results.selection.shards;
    if (!shards) throw refuse(`${p.file} holds a whole run, not a shard: there is nothing to merge it with`);
    return shards;
  };
  const of = shardsOf(first).of;
  const indexes = new Set<number>();
  const summary: Record<CellStatus, number> = { pass: 0, fail: 0, error: 0 };
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
    for (const status of ['pass', 'fail', 'error'] as const) summary[status] += r.summary[status];
  }
  const complete = indexes.size === of;
  const { shards: _shards, ...selection } = base.selection;
  return {
    ...base,
    selection: complete ? selection : { ...selection, shards: { of, indexes: [...indexes].sort((a, b) => a - b) } },
    summary,
  };
}

export function mergeResults(parts: ReadonlyArray<{ readonly file: string; readonly results: MatrixResults }>): MatrixResults {
  const header = mergedHeader(parts);
  const cells = parts.flatMap((p) => p.results.cells).sort((a, b) => a.index - b.index);
  return { ...header, summary: countStatuses(cells.map((c) => c.status)), cells };
}

/** Merges results files into `out` a cell at a time: the shards' cells interleave by index. */
export async function mergeResultFiles(files: readonly string[], out: string): Promise<Summary> {
  const streams = await Promise.all(files.map(async (file) => ({ file, stream: await openResultsFile(file) })));
  const { summary: _summary, ...header }: Omit<MatrixResults, 'cells'> = mergedHeader(
    streams.map(({ file, stream }) => ({ file, results: { ...stream.header, summary: stream.summary } })),
  );
  const writer = new ResultsFileWriter(out);
  try {
    const heads = streams.map(({ stream }) => ({ cells: stream.cells[Symbol.asyncIterator](), next: undefined as CellResult | undefined }));
    for (const h of heads) h.next = (await h.cells.next()).value as CellResult | undefined;
    for (;;) {
      let lowest: (typeof heads)[number] | undefined;
      for (const h of heads) if (h.next !== undefined && (lowest?.next === undefined || h.next.index < lowest.next.index)) lowest = h;
      if (lowest?.next === undefined) break;
      writer.accept({ kind: 'cells', cells: [lowest.next] });
      lowest.next = (await lowest.cells.next()).value as CellResult | undefined;
    }
    return writer.finish(header satisfies ResultsHeader);
  } catch (e) {
    writer.discard();
    throw e;
  }
}
