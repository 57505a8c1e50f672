import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { GiB, MiB } from '../../../src/core/units.js';
import { NO_FILES, type BackingStore, type HostFiles } from '../../../src/host/files.js';
import { Host } from '../../../src/host/host.js';
import { HOST_PROCESS } from '../../../src/machine/host-process.js';
import { BASE_TYPES, ObjectModel, TypeRegistry, type PropertyInput } from '../../../src/qom/index.js';
import { hasSharedZeropage, MEMORY_BACKEND_TYPES, RAM_BLOCK } from '../../../devices/memory-backend/index.js';
import { hostNodeList } from '../../../devices/memory-backend/properties.js';

function model(rel = '7.2', arch: 'x86_64' | 's390x' = 'x86_64') {
  const m = new ObjectModel(new TypeRegistry().register(...BASE_TYPES, ...MEMORY_BACKEND_TYPES), { release: release(rel), target: arch });
  const host = new Host({ arch });
  const process = host.spawn({ name: 'qemu', kvm: true });
  m.services.set(HOST_PROCESS, process);
  return { m, host, process };
}

const opts = (props: Record<string, string>) =>
  Object.entries(props).map(([name, text]): { name: string; input: PropertyInput } => ({ name, input: { source: 'text', text, visitor: 'opts' } }));

describe('devices/memory-backend', () => {
  // backend, props, release -> shared, fd, page size, shared zeropage (virtio_mem_has_shared_zeropage)
  const FACTS: ReadonlyArray<readonly [string, Record<string, string>, string, boolean, boolean, number, boolean]> = [
    ['memory-backend-ram', {}, '7.2', false, false, 4096, true],
    ['memory-backend-ram', { share: 'on' }, '7.2', true, false, 4096, false],
    ['memory-backend-ram', { share: 'on' }, '10.0', true, true, 4096, false],
    ['memory-backend-memfd', {}, '7.2', true, true, 4096, false],
    ['memory-backend-memfd', { share: 'off' }, '7.2', false, true, 4096, false],
    ['memory-backend-memfd', { hugetlb: 'on' }, '7.2', true, true, 2 * MiB, false],
    ['memory-backend-memfd', { hugetlb: 'on', hugetlbsize: '1G' }, '7.2', true, true, GiB, false],
    ['memory-backend-file', { 'mem-path': '/tmp/guest' }, '7.2', false, true, 4096, false],
    ['memory-backend-file', { 'mem-path': '/dev/shm/guest', share: 'on' }, '7.2', true, true, 4096, false],
    ['memory-backend-file', { 'mem-path': '/dev/hugepages/guest', share: 'on' }, '7.2', true, true, 2 * MiB, false],
    ['memory-backend-shm', {}, '9.1', true, true, 4096, false],
  ];
  for (const [type, props, rel, shared, hasFd, pageSize, zeropage] of FACTS) {
    it(`${type} ${JSON.stringify(props)} on ${rel}: shared=${String(shared)} fd=${String(hasFd)} page=${pageSize} shared-zeropage=${String(zeropage)}`, () => {
      const { m } = model(rel);
      const size = pageSize === GiB ? '2G' : '1G';
      const { object } = m.addObject(type, 'mem0', opts({ size, ...props }));
      const block = object.slots.get(RAM_BLOCK)!;
      assert.deepEqual([block.shared, block.hasFd, block.pageSize], [shared, hasFd, pageSize]);
      assert.equal(hasSharedZeropage(block, 4096), zeropage);
      assert.ok(block.mapping, 'mapped into the QEMU process');
    });
  }

  it('maps guest RAM without spending memory until it is touched', () => {
    const { m, process } = model();
    const before = process.status();
    m.addObject('memory-backend-ram', 'mem0', opts({ size: '64G' }));
    assert.equal(process.status().vmRss, before.vmRss);
  });

  it('preallocates the whole backend with prealloc=on', () => {
    const { m, process } = model();
    m.addObject('memory-backend-memfd', 'mem0', opts({ size: '1G', prealloc: 'on' }));
    assert.equal(process.status().rssShmem, GiB);
  });

  const REFUSED: ReadonlyArray<readonly [string, Record<string, string>, string]> = [
    ['memory-backend-ram', { size: '0' }, "property 'size' of memory-backend-ram doesn't take value '0'"],
    ['memory-backend-ram', { size: '1G', prealloc: 'on', reserve: 'off' }, "'prealloc=on' and 'reserve=off' are incompatible"],
    ['memory-backend-ram', { size: '1G', reserve: 'off', prealloc: 'on' }, "'prealloc=on' and 'reserve=off' are incompatible"],
    [
      'memory-backend-ram',
      { size: '1G', 'host-nodes': '0' },
      'host-nodes must be empty for policy default, or you should explicitly specify a policy other than default',
    ],
    ['memory-backend-ram', { size: '1G', policy: 'bind' }, 'host-nodes must be set for policy bind'],
    ['memory-backend-ram', { size: '1G', 'host-nodes': '200', policy: 'bind' }, 'Invalid host-nodes value: 200'],
    // The default host has one NUMA node: mbind finds none of these with memory.
    ['memory-backend-ram', { size: '1G', 'host-nodes': '1-3', policy: 'bind' }, 'cannot bind memory to host NUMA nodes: Invalid argument'],
    ['memory-backend-ram', { size: '1G', 'host-nodes': '2', policy: 'preferred' }, 'cannot bind memory to host NUMA nodes: Invalid argument'],
    ['memory-backend-ram', { size: '1G', 'prealloc-threads': '0' }, "property 'prealloc-threads' of memory-backend-ram doesn't take value '0'"],
    ['memory-backend-file', { size: '1G' }, 'mem-path property not set'],
    ['memory-backend-memfd', { size: '1G', hugetlb: 'on', hugetlbsize: '0' }, "Property 'memory-backend-memfd.hugetlbsize' doesn't take value '0'"],
    ['memory-backend-ram', {}, "can't create backend with size 0"],
  ];
  // The stored host-nodes text -> what its getter visits (host_memory_backend_get_host_nodes).
  const HOST_NODE_LISTS: ReadonlyArray<readonly [string, readonly number[]]> = [
    ['', []],
    ['0', [0]],
    ['0-2', [0, 1, 2]],
    ['3:0-1:1', [0, 1, 3]],
  ];
  for (const [text, nodes] of HOST_NODE_LISTS) {
    it(`host-nodes '${text}' reads back as ${JSON.stringify(nodes)}`, () => assert.deepEqual(hostNodeList(text), nodes));
  }

  for (const [type, props, message] of REFUSED) {
    it(`refuses ${type} ${JSON.stringify(props)}`, () => {
      const { m, process } = model();
      assert.throws(() => m.addObject(type, 'mem0', opts(props)), { message });
      assert.equal(m.resolvePath('/objects/mem0'), undefined);
      assert.equal(process.status().vmSize, 0, 'nothing was mapped');
    });
  }

  it('binds to the given host nodes that have memory: a repeated host-nodes is one list, as the options visitor gathers it', () => {
    const { m } = model();
    const { object } = m.addObject('memory-backend-ram', 'mem0', opts({ size: '1G', policy: 'bind', 'host-nodes': '5' }).concat(opts({ 'host-nodes': '0' })));
    assert.equal(object.get('host-nodes'), '5:0');
  });

  it('binds on a host with the NUMA nodes named', () => {
    const m = new ObjectModel(new TypeRegistry().register(...BASE_TYPES, ...MEMORY_BACKEND_TYPES), { release: release('10.0'), target: 'x86_64' });
    m.services.set(HOST_PROCESS, new Host({ numaNodes: 4 }).spawn({ name: 'qemu' }));
    assert.ok(m.addObject('memory-backend-ram', 'mem0', opts({ size: '1G', policy: 'bind', 'host-nodes': '1-3' })).object.slots.get(RAM_BLOCK));
  });

  it("resolves memory-backend-file's rom at allocation (8.2+) and refuses the combinations QEMU refuses", () => {
    const file = { size: '1G', 'mem-path': '/tmp/hotmem-rom' };
    const rom = (props: Record<string, string>, rel = '10.0') => {
      const { m } = model(rel);
      return m.addObject('memory-backend-file', 'mem0', opts({ ...file, ...props })).object.get('rom');
    };
    assert.equal(rom({}), 'off');
    assert.equal(rom({ readonly: 'on' }), 'on');
    assert.equal(rom({ readonly: 'on', rom: 'off' }), 'off');
    assert.throws(() => rom({ rom: 'on' }), { message: "property 'rom' = 'on' is not supported with 'readonly' = 'off'" });
    assert.throws(() => rom({ readonly: 'on', share: 'on', rom: 'off' }), {
      message: "property 'rom' = 'off' is incompatible with 'readonly' = 'on' and 'share' = 'on'",
    });
    assert.throws(() => rom({ rom: 'on' }, '8.1'), { message: "Property 'memory-backend-file.rom' not found" });
  });

  it('refuses property changes after allocation with QEMU words', () => {
    const { m } = model();
    const { object } = m.addObject('memory-backend-memfd', 'mem0', opts({ size: '1G' }));
    const json = (v: unknown): PropertyInput => ({ source: 'json', json: v });
    assert.throws(() => m.setProperty(object, 'size', json(2 * GiB)), { message: 'cannot change property size of memory-backend-memfd ' });
    assert.throws(() => m.setProperty(object, 'share', json(false)), { message: 'cannot change property value' });
    assert.equal(object.get('share'), true);
  });

  it('is not deletable while mapped, and unmaps when deleted', () => {
    const { m, process } = model();
    m.addObject('memory-backend-ram', 'mem0', opts({ size: '1G' }));
    assert.ok(process.status().vmSize > 0);
    m.deleteObject('mem0');
    assert.equal(process.status().vmSize, 0);
  });

  it('has no -shm before 9.1', () => {
    assert.equal(model('9.0').m.view.exists('memory-backend-shm'), false);
  });
});

describe('devices/memory-backend: mem-path on a host that answers for its files', () => {
  // What the host says of the path -> the RAMBlock's page size and the file mapped, or QEMU's error.
  const STORES: ReadonlyArray<readonly [string, BackingStore, number | string]> = [
    ['a file created on a disk', { kind: 'file', fs: 'disk', size: 0 }, 4096],
    ['an existing file as large as the backend', { kind: 'file', fs: 'tmpfs', size: 2 * GiB }, 4096],
    [
      'an existing file smaller than the backend',
      { kind: 'file', fs: 'tmpfs', size: GiB },
      "mem0 backing store size 0x40000000 is too small for 'size' option 0x80000000 plus 'offset' option 0x0",
    ],
    ['a directory on tmpfs', { kind: 'directory', fs: 'tmpfs' }, 4096],
    ['a directory on hugetlbfs mounted with pagesize=1G', { kind: 'directory', fs: 'hugetlbfs', pageSize: GiB }, GiB],
    ['a path whose directory is missing', { kind: 'error', errno: 'ENOENT' }, "can't open backing store /srv/vm/ram for guest RAM: No such file or directory"],
    ['a path under a file', { kind: 'error', errno: 'ENOTDIR' }, "can't open backing store /srv/vm/ram for guest RAM: Not a directory"],
  ];
  for (const [what, store, expected] of STORES) {
    it(`${what}: ${typeof expected === 'number' ? `page size ${expected}` : 'refused'}`, () => {
      const m = new ObjectModel(new TypeRegistry().register(...BASE_TYPES, ...MEMORY_BACKEND_TYPES), { release: release('10.0'), target: 'x86_64' });
      const asked: string[] = [];
      const files: HostFiles = { ...NO_FILES, backingStore: (path) => (asked.push(path), store) };
      const host = new Host({ arch: 'x86_64', files });
      m.services.set(HOST_PROCESS, host.spawn({ name: 'qemu' }));
      const create = () => m.addObject('memory-backend-file', 'mem0', opts({ size: '2G', 'mem-path': '/srv/vm/ram', share: 'on' }));
      if (typeof expected === 'string') {
        assert.throws(create, { message: expected });
        assert.equal(m.resolvePath('mem0'), undefined, 'nothing created');
        return;
      }
      const block = create().object.slots.get(RAM_BLOCK)!;
      assert.deepEqual([asked, block.pageSize], [['/srv/vm/ram'], expected]);
      // A directory holds a temporary file of QEMU's own, which no other path maps.
      assert.equal(block.mapping!.object!.name === '/srv/vm/ram', store.kind === 'file');
    });
  }
});
