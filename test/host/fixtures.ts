import assert from 'node:assert/strict';
import { GiB, KiB, MiB } from '../../src/core/units.js';
import { Host, type HostOptions, type HostProcess, type MapSpec, type Mapping, type MemoryObject } from '../../src/host/index.js';

export { GiB, KiB, MiB };
export const PAGE = 4 * KiB;

/** A host and one process on it. */
export function setup(opts: HostOptions & { kvm?: boolean } = {}): { host: Host; proc: HostProcess } {
  const host = new Host(opts);
  return { host, proc: host.spawn({ name: 'qemu', kvm: opts.kvm ?? false }) };
}

/** Maps and insists it worked. */
export function mapOk(proc: HostProcess, spec: MapSpec): Mapping {
  const out = proc.map(spec);
  assert.equal(out.kind, 'done', `map ${JSON.stringify({ ...spec, object: undefined })}: ${out.kind === 'error' ? out.errno : ''}`);
  return (out as { mapping: Mapping }).mapping;
}

/**
 * Recomputes every process's and the host's accounting the slow way — from the page states of
 * every mapping and object — and checks the running counters agree.
 */
export function checkAccounting(host: Host, extraObjects: readonly MemoryObject[] = []): void {
  const objects = new Set<MemoryObject>(extraObjects);
  let anon = 0;
  let pageTables = 0;
  let privateHugetlb = 0;
  const arch = host.arch;
  for (const p of host.processes) {
    if (p.exited) continue;
    let rssAnon = 0;
    let rssFile = 0;
    let rssShmem = 0;
    let hugetlb = 0;
    let anonHuge = 0;
    let pteTables = 0;
    for (const m of p.mappings) {
      const c = m.stateCounts();
      const base = m.pageSize;
      rssAnon += (c.anon + c['anon-split-thp'] + c.thp) * base;
      anonHuge += c.thp * base;
      if (m.backing === 'hugetlb') {
        hugetlb += (c.cache + c['hugetlb-private']) * base;
        privateHugetlb += c['hugetlb-private'] * base;
      } else if (m.backing === 'file') rssFile += c.cache * base;
      else rssShmem += c.cache * base;
      pteTables += m.pteTables;
      if (m.object) objects.add(m.object);
      assert.ok(c.thp === 0 || m.backing === 'anon', 'THPs only in anonymous mappings');
    }
    const s = p.status();
    assert.equal(s.rssAnon, rssAnon, `${p.name} RssAnon`);
    assert.equal(s.rssFile, rssFile, `${p.name} RssFile`);
    assert.equal(s.rssShmem, rssShmem, `${p.name} RssShmem`);
    assert.equal(s.hugetlbPages, hugetlb, `${p.name} HugetlbPages`);
    assert.equal(s.anonHugePages, anonHuge, `${p.name} AnonHugePages`);
    assert.equal(s.vmRss, rssAnon + rssFile + rssShmem, `${p.name} VmRSS`);
    assert.equal(p.pageTables.pteTables, pteTables, `${p.name} PTE tables`);
    const vmPte = pteTables * arch.pte.tableBytes + p.pageTables.pmdTables * arch.pmd.tableBytes + p.pageTables.pudTables * arch.pud.tableBytes;
    assert.equal(s.vmPte, vmPte, `${p.name} VmPTE`);
    const pgste = p.pgste ? pteTables * arch.pgsteBytesPerPteTable : 0;
    assert.equal(s.pageTableBytes, vmPte + pgste, `${p.name} page-table memory`);
    anon += s.rssAnon + s.thpDeferredSplitBytes;
    pageTables += s.pageTableBytes;
  }
  let shmem = 0;
  let file = 0;
  let sharedHugetlb = 0;
  for (const o of objects) {
    if (o.kind === 'shmem') shmem += o.residentBytes;
    else if (o.kind === 'file') file += o.residentBytes;
    else sharedHugetlb += o.residentBytes;
  }
  const info = host.meminfo();
  assert.equal(info.anon, anon, 'host anon');
  assert.equal(info.shmem, shmem, 'host shmem');
  assert.equal(info.filePages, file, 'host file pages');
  assert.equal(info.hugetlbUsed, privateHugetlb + sharedHugetlb, 'host hugetlb in use');
  assert.equal(info.pageTables, pageTables, 'host page tables');
  assert.equal(info.total, anon + shmem + file + privateHugetlb + sharedHugetlb + pageTables, 'host total');
}
