import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import {
  balloonInhibited,
  discardUserExists,
  NO_MIGRATION,
  RamDiscardCoordination,
  takeDiscardUse,
  type DiscardUser,
} from '../../src/machine/discard-coordination.js';

/** Realizes `first` then `second` in release `r`: what happens to the second. */
function combine(r: string, first: DiscardUser, second: DiscardUser): string {
  const c = new RamDiscardCoordination();
  const one = takeDiscardUse(c, first, release(r));
  assert.equal(one.kind, 'taken');
  const two = takeDiscardUse(c, second, release(r));
  return two.kind === 'taken' ? 'allowed' : two.message;
}

describe('machine/discard-coordination: who may be combined (system/physmem.c)', () => {
  const REFUSED_VFIO = 'Cannot set discarding of RAM broken: Device or resource busy';
  // release, first, second → the second's fate
  const MATRIX: ReadonlyArray<readonly [string, DiscardUser, DiscardUser, string]> = [
    ['7.2', 'vfio-type1', 'virtio-mem', 'allowed'],
    ['7.2', 'virtio-mem', 'vfio-type1', 'allowed'],
    ['6.1', 'virtio-mem', 'vfio-type1', 'allowed'],
    ['6.0', 'vfio-type1', 'virtio-mem', 'Discarding RAM is disabled'],
    ['6.0', 'virtio-mem', 'vfio-type1', REFUSED_VFIO],
    ['5.1', 'virtio-mem', 'vfio-type1', REFUSED_VFIO],
    ['8.2', 'vfio-iommufd', 'virtio-mem', 'allowed'],
    ['7.2', 'vfio-spapr', 'virtio-mem', 'Discarding RAM is disabled'],
    ['7.2', 'virtio-mem', 'vfio-spapr', REFUSED_VFIO],
    ['7.2', 'virtio-mem', 'vhost-vdpa', 'Cannot set discarding of RAM broken'],
    ['7.2', 'vhost-vdpa', 'virtio-mem', 'Discarding RAM is disabled'],
    ['7.2', 'virtio-mem', 'sev', 'sev_kvm_init: cannot disable RAM discard'],
    ['7.2', 'virtio-mem', 's390-pv', 'protected VMs: cannot disable RAM discard'],
    ['7.2', 'virtio-mem', 'colo', 'COLO: cannot disable RAM discard'],
    ['7.2', 'virtio-mem', 'virtio-mem', 'allowed'],
    ['7.2', 'vfio-spapr', 'vfio-type1', 'allowed'],
  ];
  for (const [r, first, second, outcome] of MATRIX) {
    it(`${r}: ${first} then ${second} → ${outcome}`, () => assert.equal(combine(r, first, second), outcome));
  }

  it('lets a refused user change nothing, and a released one make room', () => {
    const c = new RamDiscardCoordination();
    const mem = takeDiscardUse(c, 'virtio-mem', release('7.2'));
    assert.equal(takeDiscardUse(c, 'vfio-spapr', release('7.2')).kind, 'refused');
    assert.equal(c.isDisabled(), false);
    assert.equal(c.isRequired(), true);
    if (mem.kind === 'taken') {
      mem.release();
      mem.release();
    }
    assert.equal(c.isRequired(), false);
    assert.equal(takeDiscardUse(c, 'vfio-spapr', release('7.2')).kind, 'taken');
    assert.equal(c.isDisabled(), true);
  });

  it('knows the iommufd backend from 8.2', () => {
    assert.deepEqual(
      ['8.1', '8.2'].map((r) => discardUserExists('vfio-iommufd', release(r))),
      [false, true],
    );
  });
});

describe('machine/discard-coordination: when the balloon is silently ignored', () => {
  // release, disabling user, migration state → inhibited
  const CASES: ReadonlyArray<readonly [string, DiscardUser | undefined, Partial<typeof NO_MIGRATION>, boolean]> = [
    ['7.2', undefined, {}, false],
    ['7.2', 'vfio-type1', {}, true],
    ['6.0', 'vfio-type1', {}, true],
    ['7.2', 'vfio-spapr', {}, true],
    ['7.2', 'virtio-mem', {}, false],
    ['7.2', undefined, { incomingPostcopy: true }, true],
    ['7.2', undefined, { backgroundSnapshot: true }, true],
    ['5.2', undefined, { backgroundSnapshot: true }, false],
  ];
  for (const [r, user, migration, inhibited] of CASES) {
    it(`${r}: ${user ?? 'no other device'} ${JSON.stringify(migration)} → ${inhibited ? 'inhibited' : 'discards'}`, () => {
      const c = new RamDiscardCoordination();
      if (user) takeDiscardUse(c, user, release(r));
      assert.equal(balloonInhibited(c, { ...NO_MIGRATION, ...migration }, release(r)), inhibited);
    });
  }
});
