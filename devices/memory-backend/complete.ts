/**
 * user_creatable_complete for memory backends (host_memory_backend_memory_complete, QEMU 7.2):
 * allocate (map guest RAM into the QEMU process the way each backend calls mmap), check the NUMA
 * policy, preallocate. The result is the backend's RAMBlock.
 */
import { HotmemError } from '../../src/core/errors.js';
import { compareReleases } from '../../src/core/release.js';
import { strerror } from '../../src/host/errno.js';
import type { FileSystemKind } from '../../src/host/files.js';
import { hex } from '../../src/core/units.js';
import type { Host } from '../../src/host/host.js';
import type { MapSpec } from '../../src/host/process.js';
import { HOST_PROCESS } from '../../src/machine/host-process.js';
import { hostNodeList } from './properties.js';
import type { QomObject } from '../../src/qom/object.js';
import type { RamBlock } from '../../src/machine/ram-block.js';

/** Where a mem-path lives decides its page cache: hugetlbfs and tmpfs mounts, else a disk file system. */
export function fileSystemOf(path: string): FileSystemKind {
  if (/^\/dev\/hugepages(\d+[KMG]?)?(\/|$)/.test(path) || /^\/mnt\/huge/.test(path)) return 'hugetlbfs';
  if (/^\/(dev\/shm|run)(\/|$)/.test(path)) return 'tmpfs';
  return 'disk';
}

const fail = (code: string, message: string) => new HotmemError(code, message);

export const hasProperty = (obj: QomObject, name: string): boolean => obj.model.view.properties(obj.type).has(name);

interface Allocation {
  readonly spec: MapSpec;
  readonly shared: boolean;
  readonly hasFd: boolean;
  readonly pageSize: number;
}

/** host_memory_backend_get_name: the backend's memory region (and RAMBlock) name. */
function regionName(backend: QomObject): string {
  const id = backend.id ?? '';
  return backend.get('x-use-canonical-path-for-ramblock-id') === true ? `/objects/${id}` : id;
}

/**
 * file_ram_open on the host's files: where a real file system is asked, a missing path is created
 * and a directory gets an unlinked temporary file (a name no other process maps); a modelled host
 * opens every path, on the file system its path suggests.
 */
function openBackingStore(backend: QomObject, path: string, size: number, host: Host | undefined): { path: string; fs: FileSystemKind; pageSize?: number } {
  const store = host?.files.backingStore?.(path) ?? { kind: 'file', fs: fileSystemOf(path), size: 0 };
  if (store.kind === 'error') throw fail('backend.mem-path-open', `can't open backing store ${path} for guest RAM: ${strerror(store.errno)}`);
  // qemu_ram_alloc_from_fd: an existing file must hold the whole range (8.1 added offset and
  // named the region in the message).
  const withOffset = hasProperty(backend, 'offset');
  const offset = withOffset ? (backend.get('offset') as number) : 0;
  if (store.kind === 'file' && store.size > 0 && store.size < offset + size) {
    throw fail(
      'backend.mem-path-size',
      withOffset
        ? `${regionName(backend)} backing store size ${hex(store.size)} is too small for 'size' option ${hex(size)} plus 'offset' option ${hex(offset)}`
        : `backing store size ${hex(store.size)} does not match 'size' option ${hex(size)}`,
    );
  }
  const opened = store.kind === 'directory' ? `${path}/qemu_back_mem.${host?._nextId() ?? 0}` : path;
  return { path: opened, fs: store.fs, ...(store.pageSize === undefined ? {} : { pageSize: store.pageSize }) };
}

function allocation(backend: QomObject, size: number, hostPageSize: number, defaultHugePage: number, host: Host | undefined): Allocation {
  const share = backend.get('share') === true;
  const common = {
    size,
    // `reserve` arrived in 6.1; before it every backend reserved (no MAP_NORESERVE).
    reserve: !hasProperty(backend, 'reserve') || backend.get('reserve') !== false,
    merge: backend.get('merge') === true,
    prealloc: backend.get('prealloc') === true,
    // ram_block_add advises MADV_HUGEPAGE on all guest RAM.
    thp: 'hugepage' as const,
  };
  const r = backend.model.env.release;
  switch (backend.type) {
    case 'memory-backend-ram':
      // 10.0 backs share=on with a memfd; before, it was MAP_SHARED|MAP_ANONYMOUS without an fd.
      if (share && compareReleases(r, { major: 10, minor: 0 }) >= 0) {
        return { spec: { ...common, kind: 'memfd', shared: true }, shared: true, hasFd: true, pageSize: hostPageSize };
      }
      return { spec: { ...common, kind: 'anon', shared: share }, shared: share, hasFd: false, pageSize: hostPageSize };
    case 'memory-backend-shm':
      // shm_open() memory is shmem with an fd, like a memfd.
      return { spec: { ...common, kind: 'memfd', shared: true }, shared: true, hasFd: true, pageSize: hostPageSize };
    case 'memory-backend-memfd': {
      const hugetlb = backend.get('hugetlb') === true;
      const pageSize = hugetlb ? (backend.get('hugetlbsize') as number) || defaultHugePage : hostPageSize;
      return {
        spec: { ...common, kind: 'memfd', shared: share, ...(hugetlb ? { hugetlb: pageSize } : {}) },
        shared: share,
        hasFd: true,
        pageSize,
      };
    }
    case 'memory-backend-file': {
      const memPath = backend.get('mem-path') as string;
      if (memPath === '') throw fail('backend.mem-path', 'mem-path property not set');
      const rom = resolveRom(backend, share);
      const { path, fs, pageSize: hugePage } = openBackingStore(backend, memPath, size, host);
      const pageSize = fs === 'hugetlbfs' ? (hugePage ?? defaultHugePage) : hostPageSize;
      return {
        spec: {
          ...common,
          kind: 'file',
          path,
          fs,
          shared: share,
          // The guest sees ROM; a readonly file under rom=off is mapped privately, writable.
          readonly: rom,
          ...(fs === 'hugetlbfs' ? { hugetlb: pageSize } : {}),
        },
        shared: share,
        hasFd: true,
        pageSize,
      };
    }
    default:
      throw new Error(`internal: no allocation for ${backend.type}`);
  }
}

/**
 * file_backend_memory_alloc's rom (8.2+): auto follows readonly, as a readonly file always made
 * ROM before; on needs readonly; off cannot share a readonly file. Reads back resolved.
 */
function resolveRom(backend: QomObject, share: boolean): boolean {
  // Before 6.0 there is no readonly property: the file is opened read-write.
  const readonly = hasProperty(backend, 'readonly') && backend.get('readonly') === true;
  if (!hasProperty(backend, 'rom')) return readonly;
  const rom = backend.get('rom') as 'auto' | 'on' | 'off';
  if (rom === 'on' && !readonly) throw fail('backend.rom', "property 'rom' = 'on' is not supported with 'readonly' = 'off'");
  if (rom === 'off' && readonly && share) throw fail('backend.rom', "property 'rom' = 'off' is incompatible with 'readonly' = 'on' and 'share' = 'on'");
  backend.store('rom', rom === 'auto' ? (readonly ? 'on' : 'off') : rom);
  return rom === 'on' || (rom === 'auto' && readonly);
}

/**
 * host-nodes and policy must agree, then mbind (host_memory_backend_memory_complete): Linux binds
 * to the given nodes that have memory, and refuses with EINVAL when none of them has.
 */
function checkPolicy(backend: QomObject, hostNumaNodes: number | undefined): void {
  const nodes = backend.get('host-nodes') as string;
  const policy = backend.get('policy') as string;
  if (nodes !== '' && policy === 'default') {
    throw fail('backend.policy', 'host-nodes must be empty for policy default, or you should explicitly specify a policy other than default');
  }
  if (nodes === '' && policy !== 'default') throw fail('backend.policy', `host-nodes must be set for policy ${policy}`);
  if (nodes !== '' && hostNumaNodes !== undefined && !hostNodeList(nodes).some((n) => n < hostNumaNodes)) {
    throw fail('backend.mbind', `cannot bind memory to host NUMA nodes: ${strerror('EINVAL')}`);
  }
}

export function completeBackend(backend: QomObject): RamBlock {
  const size = backend.get('size') as number;
  if (size === 0) throw fail('backend.size-zero', "can't create backend with size 0");
  const process = backend.model.services.get(HOST_PROCESS);
  const arch = process?.host.arch;
  const hostPageSize = arch?.basePageSize ?? 4096;
  const defaultHugePage = arch?.pmdSize ?? 2 * 1024 * 1024;
  const alloc = allocation(backend, size, hostPageSize, defaultHugePage, process?.host);
  checkPolicy(backend, process?.host.numaNodes);
  // host_memory_backend_get_name names the memory region; the RAMBlock idstr stays empty until
  // the backend's user registers it (registerRam), as `info ramblock` shows for an unused backend.
  const name = regionName(backend);
  const idstr = '';
  if (!process) return { name, idstr, size, shared: alloc.shared, hasFd: alloc.hasFd, pageSize: alloc.pageSize, mapping: undefined };

  const mapped = process.map({ ...alloc.spec, name });
  if (mapped.kind === 'error') {
    if (mapped.stage === 'prealloc') {
      throw fail('backend.prealloc', `qemu_prealloc_mem: preallocating memory failed: ${strerror(mapped.errno)}`);
    }
    throw alloc.hasFd
      ? fail('backend.map', `unable to map backing store for guest RAM: ${strerror(mapped.errno)}`)
      : fail('backend.map', `cannot set up guest memory '${name}': ${strerror(mapped.errno)}`);
  }
  return { name, idstr, size, shared: alloc.shared, hasFd: alloc.hasFd, pageSize: alloc.pageSize, mapping: mapped.mapping };
}
