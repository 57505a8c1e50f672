/**
 * The same machine and the same QMP script through Debian's QEMU 7.2 and through `hotmem qemu`
 * 7.2, compared reply by reply (parsed JSON: QEMU's member order follows its hash tables), plus
 * what each printed on stderr. The table covers the unplugged-inaccessible tristate on every
 * x86 machine type of 7.2 with an anonymous and a memfd backend.
 */
import { strict as assert } from 'node:assert';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { findQemuSystem } from './qemu.js';
import { hotmemTranscript, realTranscript, type Step } from './transcripts.js';

const SCRIPT: readonly Step[] = [
  ['qom-get', { path: 'vm0', property: 'unplugged-inaccessible' }],
  ['qom-get', { path: 'vm0', property: 'block-size' }],
  ['qom-get', { path: 'vm0', property: 'requested-size' }],
  ['qom-get', { path: 'vm0', property: 'memaddr' }],
  ['qom-get', { path: 'vm0', property: 'prealloc' }],
  ['qom-get', { path: '/machine/peripheral/vm0/virtio-backend', property: 'queue_reset' }],
  ['x-query-virtio-status', { path: '/machine/peripheral/vm0/virtio-backend' }],
  ['query-memory-devices'],
  ['query-memory-size-summary'],
  ['qom-set', { path: 'vm0', property: 'requested-size', value: 1048576 }],
  ['qom-set', { path: 'vm0', property: 'requested-size', value: 0 }],
  ['qom-set', { path: 'vm0', property: 'memaddr', value: 0 }],
  ['qom-set', { path: 'vm0', property: 'size', value: 0 }],
  ['device_del', { id: 'vm0' }],
];

interface Case {
  readonly machine: string;
  readonly backend: string;
  readonly option: string;
}

function cases(): Case[] {
  const data = loadCompatData();
  const machines = data
    .machineTypes('7.2', 'x86_64')
    .filter((m) => m.series?.id === 'pc-i440fx' || m.series?.id === 'pc-q35')
    .map((m) => m.name);
  const out: Case[] = [];
  for (const machine of machines) {
    for (const backend of ['memory-backend-ram', 'memory-backend-memfd']) {
      for (const option of ['', ',unplugged-inaccessible=on', ',unplugged-inaccessible=off', ',unplugged-inaccessible=auto']) out.push({ machine, backend, option });
    }
  }
  return out;
}

const argsOf = (c: Case): string[] => [
  '-machine', c.machine,
  '-m', '1G,maxmem=4G',
  '-object', `${c.backend},id=mem0,size=1G`,
  '-device', `virtio-mem-pci,id=vm0,memdev=mem0${c.option}`,
];

describe('conformance: virtio-mem over QMP on every 7.2 x86 machine type', function () {
  this.timeout(120_000);
  const binary = findQemuSystem('x86_64');
  for (const c of cases()) {
    it(`${c.machine} ${c.backend}${c.option}`, async function () {
      if (binary === null) {
        console.log('      skipped: qemu-system-x86_64 is not installed (Debian: apt-get install qemu-system-x86)');
        this.skip();
      }
      const real = await realTranscript(binary, argsOf(c), SCRIPT);
      const model = hotmemTranscript('7.2', argsOf(c), SCRIPT);
      assert.deepEqual(model, real);
    });
  }
});
