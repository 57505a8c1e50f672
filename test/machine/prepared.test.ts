import assert from 'node:assert/strict';
import { Machine, type MachineOptions } from '../../src/machine/index.js';
import { PreparedMachines, type Preparation } from '../../src/machine/prepared.js';
import { testEnvironment } from './fixtures.js';

const OPTIONS: MachineOptions = { release: '8.1', arch: 'x86_64', memory: '1G' };

interface Built extends Preparation {
  readonly serial: number;
}

/** A store and a build that counts its calls; `busy` leaves work scheduled on the machine. */
function counting(options: { busy?: boolean; exits?: boolean } = {}) {
  let builds = 0;
  const build = (): Built | undefined => {
    builds++;
    if (options.exits) return undefined;
    const { machine } = Machine.start(OPTIONS, testEnvironment());
    if (options.busy) machine.scheduler.after(1000, () => undefined);
    return { machine, serial: builds };
  };
  return { build, builds: () => builds };
}

describe('machine/prepared: one machine per configuration, lent to readers', () => {
  it('builds a configuration once and lends that machine to every later reader', () => {
    const store = new PreparedMachines<Built>();
    const { build, builds } = counting();
    const first = store.lend('a', build, () => true);
    const second = store.lend('a', build, () => true);
    const third = store.lend('a', build, () => true);
    assert.ok(first.kind === 'built' && second.kind === 'lent' && third.kind === 'lent');
    assert.equal(second.prepared, first.result);
    assert.equal(third.prepared, first.result);
    assert.equal(builds(), 1);
    assert.equal(store.lend('b', build, () => true).kind, 'built');
    assert.equal(builds(), 2);
  });

  const NOT_KEPT: readonly (readonly [string, ReturnType<typeof counting>, (b: Built) => boolean])[] = [
    ['the caller says it cannot be shared', counting(), () => false],
    ['work is scheduled on the machine', counting({ busy: true }), () => true],
    ['there is no machine (the start exits)', counting({ exits: true }), () => true],
  ];
  for (const [what, { build, builds }, shareable] of NOT_KEPT) {
    it(`keeps nothing when ${what}: each user builds its own`, () => {
      const store = new PreparedMachines<Built>();
      const a = store.lend('a', build, shareable);
      const b = store.lend('a', build, shareable);
      assert.ok(a.kind === 'built' && b.kind === 'built');
      assert.equal(builds(), 2);
      assert.equal(store.size, 0);
      if (a.result && b.result) assert.notEqual(a.result.machine, b.result.machine);
    });
  }

  it('starts over past its limit, so it holds at most that many machines', () => {
    const store = new PreparedMachines<Built>(2);
    const { build, builds } = counting();
    for (const k of ['a', 'b', 'c']) store.lend(k, build, () => true);
    assert.equal(store.size, 1);
    assert.equal(store.lend('c', build, () => true).kind, 'lent');
    assert.equal(store.lend('a', build, () => true).kind, 'built');
    assert.equal(builds(), 4);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) assert.throws(() => new PreparedMachines(limit), /limit must be a positive integer/);
  });
});
