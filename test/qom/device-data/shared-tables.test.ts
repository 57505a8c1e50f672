import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../src/core/package-root.js';
import { SharedTables, sharedTablesFile, tablePositions } from '../../../src/qom/device-data/shared-tables.js';

describe('qom/device-data/shared-tables: one shared property table at a time', () => {
  const bytes = readFileSync(sharedTablesFile(packageRoot()));
  const whole = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const positions = tablePositions(bytes);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hotmem-tables-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const written = (name: string, content: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('finds every table of properties.json, and nothing else', () => assert.deepEqual(Object.keys(positions).sort(), Object.keys(whole).sort()));

  it('reads a recorded table from its bytes alone', () => {
    const [key, [start, end]] = Object.entries(positions)[1]!;
    const blanked = Buffer.alloc(bytes.length, ' ');
    bytes.copy(blanked, start, start, end);
    const tables = new SharedTables(written('properties.json', blanked), written('positions.json', JSON.stringify(positions)));
    assert.deepEqual(tables.table(key), whole[key]);
  });

  it('reads every table as parsing the whole file does, without a record of the positions', () => {
    const tables = new SharedTables(written('properties.json', bytes), join(dir, 'missing.json'));
    for (const key of Object.keys(whole)) assert.equal(JSON.stringify(tables.table(key)), JSON.stringify(whole[key]), key);
  });

  it('reads the tables of a file changed since its record as they are now', () => {
    // Every table moved by one added in front of them.
    const [head, ...rest] = bytes.toString('utf8').split('\n');
    const changed = [head, '"000000000000": [', '  ["x","bool"]', '],', ...rest].join('\n');
    const tables = new SharedTables(written('properties.json', changed), written('positions.json', JSON.stringify(positions)));
    assert.deepEqual(tables.table('000000000000'), [['x', 'bool']]);
    for (const key of Object.keys(whole).filter((_, i) => i % 50 === 0)) assert.deepEqual(tables.table(key), whole[key], key);
  });

  it('has no table for a key the file lacks', () => {
    const tables = new SharedTables(written('properties.json', bytes), written('positions.json', JSON.stringify(positions)));
    assert.equal(tables.table('00000000000f'), undefined);
  });
});
