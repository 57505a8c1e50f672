/** keyval_parse: dotted keys nest, the implied key, and the syntax errors, in real 5.2's and 11.1's words. */
import assert from 'node:assert/strict';
import { parseKeyval } from '../../../src/frontends/cmdline/keyval.js';

describe('frontends/cmdline/keyval', () => {
  const PARSED: ReadonlyArray<readonly [text: string, dict: unknown]> = [
    ['file,filename=/x', { driver: 'file', filename: '/x' }],
    ['driver=raw,file.driver=file,file.filename=/x', { driver: 'raw', file: { driver: 'file', filename: '/x' } }],
    ['driver=file,filename=/a,filename=/b', { driver: 'file', filename: '/b' }],
    ['driver=file,filename=a,,b', { driver: 'file', filename: 'a,b' }],
  ];
  for (const [text, dict] of PARSED) it(`parses ${text}`, () => assert.deepEqual(parseKeyval(text, 'driver').dict, dict));

  const REFUSED: ReadonlyArray<readonly [text: string, message: string]> = [
    ['driver=file,foo', "Expected '=' after parameter 'foo'"],
    ['driver=file,a=1,a.b=2', "Parameters 'a.*' used inconsistently"],
    ['driver=file,a.b=2,a=1', "Parameters 'a.*' used inconsistently"],
    ['driver=file,a..b=1', "Invalid parameter 'a..b'"],
    ['driver=file,=x', "Invalid parameter ''"],
    ['driver=file,fi#le=x', "Invalid parameter 'fi#le'"],
  ];
  for (const [text, message] of REFUSED) it(`refuses ${text}`, () => assert.throws(() => parseKeyval(text, 'driver'), { message }));

  it('takes help as a request, not a key', () => assert.equal(parseKeyval('help', 'driver').helpRequested, true));
});
