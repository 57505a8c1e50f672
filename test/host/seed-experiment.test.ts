/**
 * The seed experiment: read all of a guest's memory (what migration, dump or a guest touching
 * unplugged memory does) and watch RSS. With a shared zeropage the read costs no RSS, only page
 * tables; without one it costs the full size (linux.md §3.1, §4.2, §6.3).
 */
import assert from 'node:assert/strict';
import type { HostOptions, MapSpec } from '../../src/host/index.js';
import { GiB, checkAccounting, mapOk, setup } from './fixtures.js';

const SIZE = 16 * GiB;

const configs: Array<{ name: string; host: HostOptions & { kvm?: boolean }; spec: MapSpec; zeropage: boolean }> = [
  { name: 'x86_64 private anonymous, THP', host: { arch: 'x86_64', kernel: 'linux-6.1' }, spec: { kind: 'anon', size: SIZE, thp: 'hugepage' }, zeropage: true },
  {
    name: 'x86_64 private anonymous, 4 KiB',
    host: { arch: 'x86_64', kernel: 'linux-6.1' },
    spec: { kind: 'anon', size: SIZE, thp: 'nohugepage' },
    zeropage: true,
  },
  { name: 'x86_64 memfd (shared)', host: { arch: 'x86_64', kernel: 'linux-6.1' }, spec: { kind: 'memfd', size: SIZE }, zeropage: false },
  { name: 'x86_64 memfd (private)', host: { arch: 'x86_64', kernel: 'linux-6.1' }, spec: { kind: 'memfd', shared: false, size: SIZE }, zeropage: false },
  { name: 'x86_64 shared anonymous', host: { arch: 'x86_64', kernel: 'linux-6.1' }, spec: { kind: 'anon', shared: true, size: SIZE }, zeropage: false },
  {
    name: 's390x KVM, linux-4.9 (before storage keys)',
    host: { arch: 's390x', kernel: 'linux-4.9', kvm: true },
    spec: { kind: 'anon', size: SIZE },
    zeropage: true,
  },
  { name: 's390x KVM, linux-4.14', host: { arch: 's390x', kernel: 'linux-4.14', kvm: true }, spec: { kind: 'anon', size: SIZE }, zeropage: false },
  { name: 's390x KVM, linux-6.9', host: { arch: 's390x', kernel: 'linux-6.9', kvm: true }, spec: { kind: 'anon', size: SIZE }, zeropage: false },
  { name: 's390x KVM, linux-6.10', host: { arch: 's390x', kernel: 'linux-6.10', kvm: true }, spec: { kind: 'anon', size: SIZE }, zeropage: true },
  { name: 's390x TCG, linux-6.1', host: { arch: 's390x', kernel: 'linux-6.1' }, spec: { kind: 'anon', size: SIZE }, zeropage: true },
];

describe('host/seed experiment: reading all memory', () => {
  for (const c of configs) {
    it(`${c.name}: RSS +${c.zeropage ? 0 : SIZE / GiB} GiB`, () => {
      const { host, proc } = setup(c.host);
      const m = mapOk(proc, c.spec);
      assert.equal(m.readMapsZeropage, c.zeropage);
      const out = m.read(0, SIZE);
      assert.equal(out.kind, 'done');
      assert.equal(proc.status().vmRss, c.zeropage ? 0 : SIZE);
      // Page tables are paid either way: 0.195 % of what was read, twice that with PGSTEs.
      const pte = (SIZE / host.arch.pte.covers) * host.arch.pte.tableBytes;
      assert.ok(out.delta.vmPte >= pte && out.delta.vmPte < pte * 1.01, `VmPTE ${out.delta.vmPte}`);
      assert.equal(out.delta.host, (c.zeropage ? 0 : SIZE) + out.delta.pageTables);
      checkAccounting(host);
    });
  }
});
