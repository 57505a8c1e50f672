/**
 * `hotmem matrix`: run a compat matrix and report it (run), join the results of CI shards
 * (merge), and compare two runs (diff).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { WriteStream } from 'node:tty';
import { diffResults } from '../../matrix/diff.js';
import { parseFilter, unknownDimensions, type CellFilter } from '../../matrix/filter.js';
import { parseMatrix } from '../../matrix/load.js';
import { mergeResultFiles, mergeResults } from '../../matrix/merge.js';
import { progressBar } from '../../matrix/progress.js';
import { readResultsFile } from '../../matrix/read-results.js';
import { diffMarkdownReport } from '../../matrix/reports/diff-markdown.js';
import { diffTerminalReport } from '../../matrix/reports/diff-terminal.js';
import { htmlReport } from '../../matrix/reports/html.js';
import { jsonReport } from '../../matrix/reports/json.js';
import { junitReport } from '../../matrix/reports/junit.js';
import { markdownReport } from '../../matrix/reports/markdown.js';
import { terminalReport } from '../../matrix/reports/terminal.js';
import type { MatrixResults, Summary } from '../../matrix/results.js';
import { runMatrix, runMatrixToFile, type RunOptions } from '../../matrix/runner.js';
import { parseShard } from '../../matrix/shard.js';
import { WorkerPool } from '../../matrix/worker-pool.js';
import { HotmemError } from '../../core/errors.js';
import { suggest } from '../../frontends/yaml/suggest.js';
import { parseArgs, type ParsedArgs } from '../args.js';
import { EXIT_ERROR, EXIT_OK, UsageError, type CliIo, type Command } from '../command.js';
import { MATRIX_INFO } from './info.js';

const FORMATS = ['terminal', 'json', 'junit', 'markdown', 'html'] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Readonly<Record<string, Format>> = { '.json': 'json', '.xml': 'junit', '.md': 'markdown', '.html': 'html', '.htm': 'html' };

function formatOf(parsed: ParsedArgs): Format {
  const given = parsed.options.get('format') as Format | undefined;
  if (given !== undefined) return given;
  const out = parsed.options.get('out') as string | undefined;
  return (out !== undefined ? BY_EXTENSION[extname(out).toLowerCase()] : undefined) ?? 'terminal';
}

/** Colours and a progress bar only on a terminal, never in files or pipes. */
const isTerminal = (stream: unknown): boolean => (stream as WriteStream | undefined)?.isTTY === true;
const colourWanted = (io: CliIo, parsed: ParsedArgs): boolean => !parsed.options.has('out') && isTerminal(io.stdout) && process.env['NO_COLOR'] === undefined;

function emit(text: string, parsed: ParsedArgs, io: CliIo, summary: string): void {
  const out = parsed.options.get('out') as string | undefined;
  if (out === undefined) {
    io.out(text);
    return;
  }
  writeFileSync(out, text);
  io.out(`${summary}; wrote ${out}\n`);
}

function report(results: MatrixResults, format: Format, io: CliIo, parsed: ParsedArgs, changed: ReadonlySet<number> | undefined): string {
  const withChanges = changed === undefined ? {} : { changed };
  switch (format) {
    case 'terminal':
      return terminalReport(results, { color: colourWanted(io, parsed), ...withChanges });
    case 'json':
      return jsonReport(results);
    case 'junit':
      return junitReport(results);
    case 'markdown':
      return markdownReport(results, withChanges);
    case 'html':
      return htmlReport(results, withChanges);
    default: {
      const exhaustive: never = format;
      return exhaustive;
    }
  }
}

const outcome = (s: Summary): string => `${s.pass + s.fail + s.error} cells: ${s.pass} pass, ${s.fail} fail, ${s.error} error`;
const statusOf = (s: Summary): number => (s.fail + s.error === 0 ? EXIT_OK : EXIT_ERROR);

/** JSON results for a file are written a cell at a time (results-file.ts); other reports need every cell at once. */
const streamedTo = (parsed: ParsedArgs): string | undefined => (formatOf(parsed) === 'json' ? (parsed.options.get('out') as string | undefined) : undefined);

const FORMAT_OPTION = { name: 'format', takesValue: true, choices: FORMATS } as const;
const OUT_OPTION = { name: 'out', takesValue: true } as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, [
    { name: 'filter', takesValue: true },
    { name: 'shard', takesValue: true },
    { name: 'jobs', takesValue: true },
    { name: 'baseline', takesValue: true },
    FORMAT_OPTION,
    OUT_OPTION,
  ]);
  if (parsed.positionals.length !== 1) throw new UsageError('matrix run expects one matrix file');
  const shardText = parsed.options.get('shard') as string | undefined;
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  if (shard && !shard.ok) throw new UsageError(shard.reason);
  const jobsText = parsed.options.get('jobs') as string | undefined;
  const jobs = jobsText === undefined ? undefined : Number(jobsText);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs takes a whole number of at least 1 (got '${jobsText ?? ''}')`);
  const baselineFile = parsed.options.get('baseline') as string | undefined;
  const baseline = baselineFile === undefined ? undefined : readResultsFile(baselineFile);

  // The file as named: results carry it, so runs from the same place write the same results.
  const file = parsed.positionals[0]!;
  const text = readMatrixText(file);
  // Asked-for workers load the matrix and the compat data while this thread does the same; by
  // default the run starts as many as its selection pays for, once it is known.
  const pool = jobs !== undefined && jobs > 1 ? new WorkerPool({ text, file }, jobs) : undefined;
  try {
    const matrix = parseMatrix(text, file);
    const filter = filterOption(
      parsed.options.get('filter') as string | undefined,
      matrix.dimensions.map((d) => d.name),
    );
    const bar = io.stdout !== undefined && isTerminal(process.stderr) ? progressBar(io.err) : undefined;
    let jobsRun = jobs ?? 1;
    const options: RunOptions = {
      ...(jobs === undefined ? {} : { jobs }),
      ...(pool === undefined ? {} : { pool }),
      onStart: (run) => (jobsRun = run.jobs),
      ...(filter === undefined ? {} : { filter }),
      ...(shard?.ok ? { shard: shard.shard } : {}),
      ...(bar ? { onProgress: (done: number, total: number) => bar.update(done, total) } : {}),
    };
    const finished = (summary: Summary): void => {
      if (!bar) return;
      const seconds = bar.end();
      const cells = summary.pass + summary.fail + summary.error;
      io.err(`${cells} cells in ${seconds.toFixed(1)} s (${Math.round(cells / Math.max(seconds, 1e-3))} cells/s, ${jobsRun} job${jobsRun === 1 ? '' : 's'})\n`);
    };
    const streamTo = baseline === undefined ? streamedTo(parsed) : undefined;
    if (streamTo !== undefined) {
      const summary = await runMatrixToFile(matrix, streamTo, options);
      finished(summary);
      io.out(`${outcome(summary)}; wrote ${streamTo}\n`);
      return statusOf(summary);
    }
    const results = await runMatrix(matrix, options);
    finished(results.summary);
    const changed =
      baseline === undefined ? undefined : new Set(diffResults({ file: baselineFile!, results: baseline }, { file, results }).changed.map((c) => c.newIndex));
    emit(report(results, formatOf(parsed), io, parsed, changed), parsed, io, outcome(results.summary));
    return statusOf(results.summary);
  } finally {
    await pool?.close();
  }
}

function readMatrixText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as { code?: unknown }).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    throw new HotmemError('matrix.unreadable', `cannot read ${file}: ${reason}`);
  }
}

function filterOption(text: string | undefined, names: readonly string[]): CellFilter | undefined {
  if (text === undefined) return undefined;
  const f = parseFilter(text);
  if (!f.ok) throw new UsageError(`--filter: ${f.reason}`);
  const unknown = unknownDimensions(f.filter, names)[0];
  if (unknown !== undefined) {
    const s = suggest(unknown, names);
    throw new UsageError(`--filter: there is no dimension '${unknown}' (${names.join(', ')})${s === undefined ? '' : `; did you mean '${s}'?`}`);
  }
  return f.filter;
}

async function merge(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, [FORMAT_OPTION, OUT_OPTION]);
  if (parsed.positionals.length < 2) throw new UsageError('matrix merge expects two or more results files (JSON)');
  const streamTo = streamedTo(parsed);
  if (streamTo !== undefined) {
    const summary = await mergeResultFiles(parsed.positionals, streamTo);
    io.out(`${outcome(summary)}; wrote ${streamTo}\n`);
    return statusOf(summary);
  }
  const merged = mergeResults(parsed.positionals.map((file) => ({ file, results: readResultsFile(file) })));
  const format = parsed.options.has('format') || parsed.options.has('out') ? formatOf(parsed) : 'json';
  emit(report(merged, format, io, parsed, undefined), parsed, io, outcome(merged.summary));
  return statusOf(merged.summary);
}

function diff(args: readonly string[], io: CliIo): number {
  const parsed = parseArgs(args, [
    { name: 'ignore', takesValue: true },
    { name: 'format', takesValue: true, choices: ['terminal', 'json', 'markdown'] },
    OUT_OPTION,
  ]);
  if (parsed.positionals.length !== 2) throw new UsageError('matrix diff expects OLD.json NEW.json');
  const [oldFile, newFile] = parsed.positionals as [string, string];
  const ignore = ((parsed.options.get('ignore') as string | undefined) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const d = diffResults({ file: oldFile, results: readResultsFile(oldFile) }, { file: newFile, results: readResultsFile(newFile) }, ignore);
  const format = formatOf(parsed);
  const text =
    format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : format === 'markdown' ? diffMarkdownReport(d) : diffTerminalReport(d, colourWanted(io, parsed));
  emit(text, parsed, io, `${d.changed.length} changed, ${d.unchanged} unchanged`);
  return d.changed.length === 0 && d.onlyOld.length === 0 && d.onlyNew.length === 0 ? EXIT_OK : EXIT_ERROR;
}

export const matrixCommand: Command = {
  ...MATRIX_INFO,
  run(args, io) {
    const [verb, ...rest] = args;
    switch (verb) {
      case 'run':
        return run(rest, io);
      case 'merge':
        return merge(rest, io);
      case 'diff':
        return diff(rest, io);
      default:
        throw new UsageError(verb === undefined ? 'expects run, merge or diff' : `unknown matrix command '${verb}' (run, merge, diff)`);
    }
  },
};
