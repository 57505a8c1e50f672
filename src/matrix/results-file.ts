/**
 * Results files written and read a cell at a time, so a run or a merge of any number of cells
 * holds a bounded number of them. The file is the JSON report (reports/json.ts), byte for byte;
 * its summary comes before the cells, so cell lines go first to a spill file beside it and are
 * copied behind the header once the run is over.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { HotmemError } from '../core/errors.js';
import { checkResultsShape, readResultsFile } from './read-results.js';
import { batchStatuses, cellLine, type ResultBatch, type ResultSink } from './result-batch.js';
import { CELL_INDENT, jsonFrame } from './reports/json.js';
import { countStatuses, type CellResult, type CellStatus, type ResultsHeader, type Summary } from './results.js';

/** Bytes of cell lines gathered before one write: few system calls, little memory. */
const WRITE_BUFFER = 1 << 20;

export class ResultsFileWriter implements ResultSink {
  readonly #spill: string;
  readonly #fd: number;
  readonly #summary: Record<CellStatus, number> = { pass: 0, fail: 0, error: 0 };
  #pending: Array<string | Uint8Array> = [];
  #pendingBytes = 0;

  constructor(readonly path: string) {
    this.#spill = `${path}.cells-${process.pid}.tmp`;
    try {
      this.#fd = openSync(this.#spill, 'w');
    } catch (e) {
      // Before any cell runs: the results file could not be written beside its spill file either.
      const code = (e as { code?: unknown }).code;
      const reason = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
      throw new HotmemError('matrix.unwritable', `cannot write ${path}: ${reason}`, { file: path });
    }
  }

  accept(batch: ResultBatch): void {
    countStatuses(batchStatuses(batch), this.#summary);
    if (batch.kind === 'lines') this.#buffer(batch.text, batch.text.byteLength);
    else
      for (const cell of batch.cells) {
        const line = cellLine(cell);
        this.#buffer(line, Buffer.byteLength(line));
      }
  }

  /** Writes the results file (header, summary, then the cells) and removes the spill file. */
  finish(header: ResultsHeader): Summary {
    this.#flush();
    closeSync(this.#fd);
    const summary = { ...this.#summary };
    const frame = jsonFrame({ ...header, summary });
    // Written beside the target and renamed, so a results file is never half there.
    const partial = `${this.path}.${process.pid}.tmp`;
    const out = openSync(partial, 'w');
    try {
      const total = summary.pass + summary.fail + summary.error;
      if (total === 0) writeSync(out, frame.empty);
      else {
        writeSync(out, `${frame.open}${CELL_INDENT}`);
        copyCells(this.#spill, out);
        writeSync(out, frame.close);
      }
    } finally {
      closeSync(out);
    }
    renameSync(partial, this.path);
    rmSync(this.#spill, { force: true });
    return summary;
  }

  /** After a failed run: nothing of it is left behind. */
  discard(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // Already closed by finish.
    }
    rmSync(this.#spill, { force: true });
  }

  #buffer(part: string | Uint8Array, size: number): void {
    this.#pending.push(part);
    this.#pendingBytes += size;
    if (this.#pendingBytes >= WRITE_BUFFER) this.#flush();
  }

  #flush(): void {
    for (const part of this.#pending) {
      if (typeof part === 'string') writeSync(this.#fd, part);
      else writeSync(this.#fd, part);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

const NEWLINE = 0x0a;
const SEPARATOR = Buffer.from(`,\n${CELL_INDENT}`);

/** The spill's lines behind one another as the JSON report joins them: every newline but the last becomes `,\n    `. */
function copyCells(spill: string, out: number): void {
  const fd = openSync(spill, 'r');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(WRITE_BUFFER);
    let offset = 0;
    while (offset < size) {
      const read = readSync(fd, chunk, 0, chunk.length, offset);
      const last = offset + read === size;
      let start = 0;
      for (let i = chunk.indexOf(NEWLINE, 0); i !== -1 && i < read; i = chunk.indexOf(NEWLINE, i + 1)) {
        writeSync(out, chunk, start, i - start);
        if (!(last && i === read - 1)) writeSync(out, SEPARATOR);
        start = i + 1;
      }
      if (start < read) writeSync(out, chunk, start, read - start);
      offset += read;
    }
  } finally {
    closeSync(fd);
  }
}

/** A results file opened for reading its cells one at a time. */
export interface ResultsStream {
  readonly header: ResultsHeader;
  readonly summary: Summary;
  readonly cells: AsyncIterable<CellResult>;
}

const CELLS_OPEN = '  "cells": [';
const CELLS_EMPTY = '  "cells": []';
const CELLS_CLOSE = '  ]';

/**
 * Opens a results file. One in the JSON report's layout is read a line at a time; any other
 * JSON layout of the same results (reformatted by another tool) is read whole.
 */
export async function openResultsFile(path: string): Promise<ResultsStream> {
  let lines: AsyncIterator<string>;
  try {
    const stream = createReadStream(path, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    lines = createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  } catch {
    // readResultsFile names the problem (no such file, ...).
    return whole(path);
  }
  const head: string[] = [];
  for (;;) {
    const next = await lines.next();
    if (next.done) return whole(path);
    const line = next.value;
    if (line === CELLS_OPEN || line === CELLS_EMPTY) {
      let value: unknown;
      try {
        value = JSON.parse(`${head.join('\n')}\n"cells": []}`);
      } catch {
        await lines.return?.();
        return whole(path);
      }
      const { cells: _cells, summary, ...header } = checkResultsShape(value, path);
      return { header, summary, cells: line === CELLS_OPEN ? cellLines(lines, path) : fromArray([]) };
    }
    head.push(line);
  }
}

function whole(path: string): ResultsStream {
  const { cells, summary, ...header } = readResultsFile(path);
  return { header, summary, cells: fromArray(cells) };
}

// An async iterable over cells already read, for the readers of streamed files.
// eslint-disable-next-line @typescript-eslint/require-await
async function* fromArray(cells: readonly CellResult[]): AsyncGenerator<CellResult> {
  yield* cells;
}

async function* cellLines(lines: AsyncIterator<string>, path: string): AsyncGenerator<CellResult> {
  for (;;) {
    const next = await lines.next();
    if (next.done || next.value === CELLS_CLOSE) return;
    const text = next.value.endsWith(',') ? next.value.slice(0, -1) : next.value;
    try {
      yield JSON.parse(text) as CellResult;
    } catch (e) {
      throw new HotmemError('matrix.bad-results', `${path}: a cell line is not JSON (${e instanceof Error ? e.message : String(e)})`, { file: path });
    }
  }
}
