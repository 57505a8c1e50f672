import assert from 'node:assert/strict';
import type { PropertyInput } from '../../src/qom/index.js';
import { QomObject } from '../../src/qom/object.js';
import { testModel } from './fixtures.js';

const text = (t: string): PropertyInput => ({ source: 'text', text: t, visitor: 'keyval' });

function recording() {
  const model = testModel('8.1');
  const reads: string[] = [];
  model.reads = {
    read: (obj, property, origin) => reads.push(`${obj.type}.${property}${origin ? ` (${origin.kind})` : ''}`),
    compatLookup: (driver, property) => reads.push(`compat ${driver}.${property}`),
  };
  return { model, reads };
}

describe('qom/stored-reads', () => {
  it('records a stored value read through the property table, and its origin', () => {
    const { model, reads } = recording();
    const backend = model.addObject('test-backend', 'm0', [{ name: 'size', input: text('1G') }]).object;
    reads.length = 0;
    assert.equal(backend.get('size'), 1 << 30);
    assert.equal(model.originOf(backend, 'share').kind, 'class-default');
    assert.deepEqual(reads, ['test-backend.size (explicit)', 'test-backend.share']);
  });

  it('records nothing for a compat entry stored as it is, and the setter’s read for one whose setter runs', () => {
    const { model, reads } = recording();
    model.addObject('test-backend', 'm0', []);
    model.compat = {
      accelerator: [],
      machine: [
        { driver: 'test-mem', property: 'mode', value: 'off' },
        { driver: 'test-mem', property: 'requested-size', value: '0' },
      ],
      sugar: [],
    };
    reads.length = 0;
    model.instantiate('test-mem');
    assert.deepEqual(reads, ['test-mem.requested-size']);
  });

  it('records a compat entry looked up by driver name', () => {
    const { model, reads } = recording();
    model.compat = { accelerator: [], machine: [{ driver: 'board', property: 'x', value: 'off' }], sugar: [] };
    assert.deepEqual(model.machineCompat('board', 'x'), [{ driver: 'board', property: 'x', value: 'off' }]);
    assert.deepEqual(reads, ['compat board.x']);
  });

  it('records a read that iterates every stored value', () => {
    const { model, reads } = recording();
    const backend = model.addObject('test-backend', 'm0', [{ name: 'size', input: text('1G') }]).object;
    reads.length = 0;
    assert.deepEqual(backend.storedEntries(), [['size', 1 << 30]]);
    assert.deepEqual(reads, ['test-backend.size (explicit)']);
  });

  it('holds stored values where nothing but the read point reaches them', () => {
    const obj = new QomObject('test-backend', testModel());
    obj.store('size', 4096);
    // The storage is a private field: no own property and no prototype member exposes it.
    for (const key of [...Object.keys(obj), ...Object.getOwnPropertyNames(QomObject.prototype)]) {
      const value: unknown = (obj as unknown as Record<string, unknown>)[key];
      assert.ok(!(value instanceof Map && value.has('size')), `'${key}' exposes the stored values`);
    }
    assert.equal(obj.stored('size'), 4096);
  });
});
