import assert from 'node:assert/strict';
import { qemuBinary } from '../../src/cli/binary.js';
import { Machine, type StartupItem } from '../../src/machine/machine.js';

const PRIVATE_FILE = 'ram-discard.private-file';

/** The warning codes a start-up with one virtio-mem-pci per backend prints. */
function startupWarnings(release: string, backends: readonly string[]): string[] {
  const items: StartupItem[] = backends.flatMap((spec, i): StartupItem[] => {
    const [type, ...props] = spec.split(',');
    return [
      {
        kind: 'object',
        type: type!,
        id: `mem${i}`,
        props: [{ name: 'size', value: '1G' }, ...props.map((kv) => ({ name: kv.split('=')[0]!, value: kv.split('=')[1]! }))],
      },
      { kind: 'device', driver: 'virtio-mem-pci', id: `vm${i}`, props: [{ name: 'memdev', value: `mem${i}` }] },
    ];
  });
  const { warnings } = Machine.start(
    { release, arch: 'x86_64', machine: 'q35', memory: '1G,maxmem=8G', items },
    qemuBinary(new Map([['qemu-version', release]])).environment,
  );
  return warnings.map((w) => w.code).filter((c) => c === PRIVATE_FILE);
}

describe('machine/ram-discard: the private file mapping warning (8.1+, once per process)', () => {
  const CASES: ReadonlyArray<readonly [string, readonly string[], number]> = [
    ['7.2', ['memory-backend-memfd,share=off'], 0],
    ['8.0', ['memory-backend-file,mem-path=/tmp/hotmem-test-f'], 0],
    ['8.1', ['memory-backend-file,mem-path=/tmp/hotmem-test-f'], 1],
    ['10.0', ['memory-backend-memfd,share=off'], 1],
    ['10.0', ['memory-backend-memfd'], 0],
    ['10.0', ['memory-backend-file,mem-path=/tmp/hotmem-test-f,share=on'], 0],
    ['10.0', ['memory-backend-ram'], 0],
    ['10.0', ['memory-backend-file,mem-path=/tmp/hotmem-test-f', 'memory-backend-memfd,share=off'], 1],
  ];
  for (const [release, backends, count] of CASES) {
    it(`${release} ${backends.join(' + ')}: printed ${count} time(s)`, () => {
      assert.equal(startupWarnings(release, backends).length, count);
    });
  }
});
