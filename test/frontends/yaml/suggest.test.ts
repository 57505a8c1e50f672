import assert from 'node:assert/strict';
import { editDistance, propertyNameHint, suggest, suggestKey } from '../../../src/frontends/yaml/suggest.js';

describe('frontends/yaml: suggestions', () => {
  const DISTANCES: ReadonlyArray<readonly [string, string, number]> = [
    ['', '', 0],
    ['abc', '', 3],
    ['requsted-size', 'requested-size', 1],
    ['memroy', 'memory', 1],
    ['requested_size', 'requested-size', 1],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
  ];
  for (const [a, b, d] of DISTANCES) {
    it(`distance('${a}', '${b}') = ${d}`, () => {
      assert.equal(editDistance(a, b), d);
      assert.equal(editDistance(b, a), d);
    });
  }

  it('suggests the closest candidate within a third of the word', () => {
    const keys = ['driver', 'id', 'bus', 'requested-size', 'requested-address'];
    assert.equal(suggest('requsted-size', keys), 'requested-size');
    assert.equal(suggest('ids', keys), 'id');
    assert.equal(suggest('DRIVER', keys), 'driver');
    assert.equal(suggest('frobnicate', keys), undefined);
    assert.equal(suggest('driver', keys), undefined, 'a word is not its own suggestion');
  });

  it('breaks ties by candidate order', () => {
    assert.equal(suggest('ab', ['ac', 'ad']), 'ac');
    assert.equal(suggest('ab', ['ad', 'ac']), 'ad');
  });

  it("offers other tools' words for keys only where the meant key exists", () => {
    assert.equal(suggestKey('backends', ['objects', 'devices']), 'objects');
    assert.equal(suggestKey('qom-type', ['type', 'id']), 'type');
    assert.equal(suggestKey('touch', ['write', 'read']), 'write');
    assert.equal(suggestKey('touch', ['type']), undefined);
    assert.equal(suggestKey('__proto__', ['type']), undefined);
  });

  it('words a property-name hint', () => {
    assert.equal(propertyNameHint('requsted-size', ['memdev', 'requested-size']), "did you mean 'requested-size'?");
    assert.equal(propertyNameHint('frob', ['memdev', 'requested-size']), undefined);
  });
});
