/**
 * compat/devices/properties.json, the property tables all releases share (a megabyte, 845
 * tables), read one table at a time: a start needs a few tables (a vCPU's has 500 rows), and
 * reading, decoding and keeping the whole file cost it more than the rest of its device data.
 * The build records where each table lies (writeTablePositions); a table is then read from its
 * bytes alone, and taken only when they still hold that table and nothing else, so a file changed
 * since the build is read whole once, as one without recorded positions is.
 *
 * The generator writes each table as `"key": [` at the start of a line, one row per line, and `]`
 * on a line of its own (scripts/device-data.ts, document()).
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PropertyRow } from './format.js';

/** Each table's byte range: from the opening quote of its key to just after its closing `]`. */
type Positions = Readonly<Record<string, readonly [start: number, end: number]>>;

export const sharedTablesFile = (root: string): string => join(root, 'compat', 'devices', 'properties.json');

/** Where the build records the positions (under dist/compat, next to the compat images). */
export const positionsFile = (root: string): string => join(root, 'dist', 'compat', 'devices', 'properties-positions.json');

const QUOTE = 0x22;

/** Where each table of the file's `bytes` lies. */
export function tablePositions(bytes: Buffer): Positions {
  const positions: Record<string, readonly [number, number]> = {};
  for (let line = bytes.indexOf('\n"'); line >= 0; line = bytes.indexOf('\n"', line + 1)) {
    const start = line + 1;
    const keyEnd = bytes.indexOf(QUOTE, start + 1);
    const end = bytes.indexOf('\n]', keyEnd);
    if (keyEnd < 0 || end < 0 || bytes.toString('latin1', keyEnd, keyEnd + 4) !== '": [') continue;
    positions[bytes.toString('utf8', start + 1, keyEnd)] = [start, end + 2];
    line = end;
  }
  return positions;
}

/** The build's step: records the positions of the tables of the package's properties.json. */
export function writeTablePositions(root: string): number {
  const positions = tablePositions(readFileSync(sharedTablesFile(root)));
  mkdirSync(dirname(positionsFile(root)), { recursive: true });
  writeFileSync(positionsFile(root), JSON.stringify(positions));
  return Object.keys(positions).length;
}

function readRange(file: string, [start, end]: readonly [number, number]): Buffer {
  const bytes = Buffer.allocUnsafe(end - start);
  const fd = openSync(file, 'r');
  try {
    return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, start));
  } finally {
    closeSync(fd);
  }
}

/** The table `key` if `bytes` hold exactly it (a `"key": [` line through the first `]` line). */
function tableIn(bytes: Buffer, key: string): readonly PropertyRow[] | undefined {
  const text = bytes.toString('utf8');
  const opening = `${JSON.stringify(key)}: [`;
  if (!text.startsWith(opening) || text.indexOf('\n]') !== text.length - 2) return undefined;
  return JSON.parse(text.slice(opening.length - 1)) as readonly PropertyRow[];
}

/** The tables of one properties.json, by key. */
export class SharedTables {
  readonly #tables = new Map<string, readonly PropertyRow[] | undefined>();
  #recorded: Positions | undefined;
  #whole: { readonly bytes: Buffer; readonly positions: Positions } | undefined;

  constructor(
    readonly file: string,
    /** The build's record of the positions; a missing or unreadable one counts as empty. */
    readonly recordedPositions: string,
  ) {}

  /** The table, or undefined when the file has none under `key`. */
  table(key: string): readonly PropertyRow[] | undefined {
    if (!this.#tables.has(key)) this.#tables.set(key, this.#read(key));
    return this.#tables.get(key);
  }

  #read(key: string): readonly PropertyRow[] | undefined {
    const recorded = (this.#recorded ??= this.#readRecorded())[key];
    const fromRecord = recorded && tableIn(readRange(this.file, recorded), key);
    if (fromRecord) return fromRecord;
    const whole = (this.#whole ??= this.#readWhole());
    const measured = whole.positions[key];
    return measured && tableIn(whole.bytes.subarray(...measured), key);
  }

  #readRecorded(): Positions {
    try {
      return JSON.parse(readFileSync(this.recordedPositions, 'utf8')) as Positions;
    } catch {
      return {};
    }
  }

  #readWhole(): { readonly bytes: Buffer; readonly positions: Positions } {
    const bytes = readFileSync(this.file);
    return { bytes, positions: tablePositions(bytes) };
  }
}
