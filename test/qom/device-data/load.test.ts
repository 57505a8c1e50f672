import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/core/package-root.js';
import { sharedTable } from '../../../src/qom/device-data/load.js';

describe('qom/device-data/load: one shared property table at a time', () => {
  const text = readFileSync(join(packageRoot(), 'compat', 'devices', 'properties.json'), 'utf8');

  it('reads every table of properties.json as parsing the whole file does', () => {
    const whole = JSON.parse(text) as Record<string, unknown>;
    for (const key of Object.keys(whole)) assert.deepEqual(sharedTable(text, key), whole[key], key);
  });

  it('has no table for a key the file lacks', () => assert.equal(sharedTable(text, '000000000000'), undefined));
});
