import assert from 'node:assert/strict';
import { bytes } from '../../../src/core/units.js';
import { brokenBounds, comparisonText, dataMatches, propertyMatches } from '../../../src/frontends/yaml/expectations.js';

describe('frontends/yaml: expectations', () => {
  it('compares values read back as the text an expectation holds', () => {
    assert.equal(comparisonText(true), 'on');
    assert.equal(comparisonText(false), 'off');
    assert.equal(comparisonText(8589934592), '8589934592');
    assert.equal(comparisonText(1n << 60n), '1152921504606846976');
    assert.equal(comparisonText('auto'), 'auto');
    assert.equal(comparisonText(null), 'null');
    assert.equal(comparisonText([1]), '[1]');
    assert.equal(comparisonText(undefined), 'undefined');
  });

  it('matches a bool property and an OnOffAuto property against on', () => {
    assert.ok(propertyMatches('on', true));
    assert.ok(propertyMatches('on', 'on'));
    assert.ok(!propertyMatches('on', 'auto'));
    assert.ok(!propertyMatches('0', false));
  });

  it('matches event data on the listed fields only', () => {
    const data = { id: 'vm0', size: 1073741824, 'qom-path': '/machine/peripheral/vm0' };
    assert.ok(dataMatches([{ name: 'id', value: 'vm0' }], data));
    assert.ok(dataMatches([], data));
    assert.ok(!dataMatches([{ name: 'size', value: '0' }], data));
    assert.ok(!dataMatches([{ name: 'node', value: '0' }], data));
  });

  it('names every bound a value breaks', () => {
    const bounds = { below: bytes(100), atMost: bytes(90), equals: bytes(90), atLeast: bytes(80), above: bytes(70) };
    assert.deepEqual(brokenBounds(bounds, 90), []);
    assert.deepEqual(brokenBounds(bounds, 100), ['below 100', 'at most 90', 'equal to 90']);
    assert.deepEqual(brokenBounds(bounds, 70), ['equal to 90', 'at least 80', 'above 70']);
    assert.deepEqual(brokenBounds({}, 0), []);
  });
});
