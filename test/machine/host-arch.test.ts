import assert from 'node:assert/strict';
import type { Arch } from '../../src/core/arch.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { Machine, StartupError, type StartupItem } from '../../src/machine/machine.js';

const ITEMS: readonly StartupItem[] = [
  { kind: 'object', type: 'memory-backend-ram', id: 'mem0', props: [{ name: 'size', value: '1G' }] },
  { kind: 'device', driver: 'virtio-mem-ccw', id: 'vm0', props: [{ name: 'memdev', value: 'mem0' }] },
];

function start(hostArch: Arch | undefined, accel: 'tcg' | 'kvm' = 'tcg') {
  return Machine.start(
    { release: '10.0', arch: 's390x', ...(hostArch ? { hostArch } : {}), accel, memory: '1G,maxmem=4G', items: ITEMS },
    qemuBinary(
      new Map([
        ['qemu-version', '10.0'],
        ['arch', 's390x'],
      ]),
    ).environment,
  ).machine;
}

describe('machine: a target on a host of another architecture (hostArch)', () => {
  // host arch → virtio-mem-ccw's default block size (the host's THP size) and the host's page size
  const CASES: ReadonlyArray<readonly [Arch | undefined, number]> = [
    [undefined, 1024 * 1024],
    ['s390x', 1024 * 1024],
    // The real qemu-system-s390x 10.0.13 under TCG on this x86_64 host reads 2 MiB.
    ['x86_64', 2 * 1024 * 1024],
  ];
  for (const [hostArch, blockSize] of CASES) {
    it(`s390x on ${hostArch ?? 'its own arch'}: block-size ${blockSize}`, () => {
      const machine = start(hostArch);
      assert.equal(machine.process.host.arch.name, hostArch ?? 's390x');
      assert.equal(machine.model.resolvePath('vm0')!.get('block-size'), blockSize);
    });
  }

  it('refuses KVM across architectures as a binary without KVM refuses it', () => {
    assert.throws(
      () => start('x86_64', 'kvm'),
      (e: unknown) => e instanceof StartupError && /^invalid accelerator kvm$/.test(e.message),
    );
  });
});
