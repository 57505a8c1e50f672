/**
 * The real host's files, for `hotmem qemu`: it runs where the QEMU it stands in for would, so a
 * secret's file= names a file here (libvirt's master key). Read as g_file_get_contents reads:
 * open, then read, each failing with its errno. A -blockdev's image is opened as file-posix opens
 * it, and only its kind and first bytes are read.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Arch } from '../../core/arch.js';
import { HotmemError } from '../../core/errors.js';
import { archProfile } from '../../host/arch.js';
import { freshHost, type Host, type HostOptions } from '../../host/host.js';
import { isPciAddress, type HostPciDevice } from '../../host/vfio.js';
import { ERRNO, type Errno } from '../../host/errno.js';
import { IMAGE_HEAD_BYTES, type BackingStore, type FileKind, type FileOpen, type FileRead, type FileSystemKind, type HostFiles } from '../../host/files.js';

function errnoOf(e: unknown, path: string): Errno {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== undefined && code in ERRNO) return code as Errno;
  throw new HotmemError('host.file-read', `hotmem cannot model the failure reading ${path} (${code ?? String(e)})`);
}

/** statfs f_type of the file systems whose page cache differs from a disk's. */
const HUGETLBFS_MAGIC = 0x958458f6;
const TMPFS_MAGIC = 0x01021994;

function fileSystem(path: string): { fs: FileSystemKind; pageSize?: number } {
  const st = statfsSync(path);
  if (st.type === HUGETLBFS_MAGIC) return { fs: 'hugetlbfs', pageSize: st.bsize };
  return { fs: st.type === TMPFS_MAGIC ? 'tmpfs' : 'disk' };
}

/** stat's answer: a directory, a file and its size, or the errno. */
function kindOf(path: string): 'directory' | { readonly size: number } | Errno {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'directory' : { size: st.size };
  } catch (e) {
    return errnoOf(e, path);
  }
}

/** access(path, W_OK)'s errno, or undefined when writable. */
function unwritable(path: string): Errno | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    return errnoOf(e, path);
  }
}

export const REAL_HOST_FILES: HostFiles = {
  stat(path: string): Errno | undefined {
    const found = kindOf(path);
    return typeof found === 'string' && found !== 'directory' ? found : undefined;
  },
  /** A missing path fails as stat does; a path that is no socket refuses the connection. */
  unixConnect(path: string): Errno | undefined {
    try {
      return statSync(path).isSocket() ? undefined : 'ECONNREFUSED';
    } catch (e) {
      return errnoOf(e, path);
    }
  },
  openForWriting(path: string): Errno | undefined {
    const found = kindOf(path);
    if (found === 'directory') return 'EISDIR';
    if (typeof found === 'object') return unwritable(path);
    if (found !== 'ENOENT') return found;
    const parent = kindOf(dirname(path));
    if (parent === 'directory') return unwritable(dirname(path));
    return typeof parent === 'object' ? 'ENOTDIR' : parent;
  },
  /**
   * file_ram_open: open the path; if missing, create it (O_CREAT|O_EXCL, so its directory must
   * exist); if a directory, make a temporary file there. Answered from stat and statfs.
   */
  backingStore(path: string): BackingStore {
    const found = kindOf(path);
    if (found === 'directory') return { kind: 'directory', ...fileSystem(path) };
    if (typeof found === 'object') return { kind: 'file', ...fileSystem(path), size: found.size };
    if (found !== 'ENOENT') return { kind: 'error', errno: found };
    const parent = kindOf(dirname(path));
    if (parent === 'directory') return { kind: 'file', ...fileSystem(dirname(path)), size: 0 };
    return { kind: 'error', errno: typeof parent === 'object' ? 'ENOTDIR' : parent };
  },
  read(path: string): FileRead {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      return { kind: 'error', stage: 'open', errno: errnoOf(e, path) };
    }
    try {
      return { kind: 'read', bytes: readFileSync(fd) };
    } catch (e) {
      return { kind: 'error', stage: 'read', errno: errnoOf(e, path) };
    } finally {
      closeSync(fd);
    }
  },
  open(path: string, writable: boolean): FileOpen {
    let fd: number;
    try {
      fd = openSync(path, writable ? 'r+' : 'r');
    } catch (e) {
      return { kind: 'error', errno: errnoOf(e, path) };
    }
    try {
      const stat = fstatSync(fd);
      const type: FileKind = stat.isFile()
        ? 'regular'
        : stat.isDirectory()
          ? 'directory'
          : stat.isCharacterDevice()
            ? 'char'
            : stat.isBlockDevice()
              ? 'block'
              : 'other';
      const head = new Uint8Array(IMAGE_HEAD_BYTES);
      const length = type === 'regular' || type === 'block' ? readSync(fd, head, 0, IMAGE_HEAD_BYTES, 0) : 0;
      return { kind: 'opened', type, head: head.subarray(0, length) };
    } finally {
      closeSync(fd);
    }
  },
};

const HUGEPAGES = '/sys/kernel/mm/hugepages';

/**
 * The real host's hugetlb pools, in pages by page size: the free pages no mapping has reserved
 * (free_hugepages - resv_hugepages), which is what a new mapping of hugetlbfs can take. Sizes the
 * architecture modelled does not have (an s390x target on an x86_64 host) are left out.
 */
function realHugetlbPages(arch: Arch): Record<number, number> {
  if (!existsSync(HUGEPAGES)) return {};
  const pools: Record<number, number> = {};
  for (const entry of readdirSync(HUGEPAGES)) {
    const kib = /^hugepages-(\d+)kB$/.exec(entry)?.[1];
    if (kib === undefined || !archProfile(arch).hugetlbPageSizes.includes(Number(kib) * 1024)) continue;
    const read = (name: string) => Number(readFileSync(join(HUGEPAGES, entry, name), 'utf8'));
    pools[Number(kib) * 1024] = read('free_hugepages') - read('resv_hugepages');
  }
  return pools;
}

const NODES = '/sys/devices/system/node';

/** A sysfs cpulist (`0-3,8,10-11`) as CPU numbers. */
export function parseCpuList(text: string): number[] {
  return text
    .trim()
    .split(',')
    .filter(Boolean)
    .flatMap((item) => {
      const [first, last = first] = item.split('-').map(Number) as [number, number?];
      return Array.from({ length: last - first + 1 }, (_, i) => first + i);
    });
}

/**
 * The real host's online CPUs by NUMA node (nodeN/cpulist), or nothing on a kernel without NUMA
 * sysfs or with holes in the node numbers, where the modelled default stands.
 */
function realNodeCpus(): (readonly number[])[] | undefined {
  if (!existsSync(NODES)) return undefined;
  const nodes = readdirSync(NODES)
    .map((entry) => /^node(\d+)$/.exec(entry)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (nodes.length === 0 || nodes.some((n, i) => n !== i)) return undefined;
  return nodes.map((n) => parseCpuList(readFileSync(join(NODES, `node${n}`, 'cpulist'), 'utf8')));
}

const PCI_DEVICES = '/sys/bus/pci/devices';

/**
 * The real host's PCI devices, each with the IOMMU group its iommu_group link names (none
 * without the link: no IOMMU, or the IOMMU is off), for vfio-pci's host= and sysfsdev=.
 */
function realPciDevices(): HostPciDevice[] {
  if (!existsSync(PCI_DEVICES)) return [];
  return readdirSync(PCI_DEVICES)
    .filter(isPciAddress)
    .map((address) => {
      let group: number | undefined;
      try {
        group = Number(basename(readlinkSync(join(PCI_DEVICES, address, 'iommu_group'))));
      } catch {
        group = undefined;
      }
      return group === undefined || !Number.isSafeInteger(group) ? { address } : { address, iommuGroup: group };
    });
}

/** The host `hotmem qemu` stands in on: this one, its files, its free huge pages, its CPUs and its PCI devices. */
export function realHost(arch: Arch, kernel?: HostOptions['kernel']): Host {
  const nodeCpus = realNodeCpus();
  return freshHost({
    arch,
    ...(kernel === undefined ? {} : { kernel }),
    files: REAL_HOST_FILES,
    hugetlbPages: realHugetlbPages(arch),
    ...(nodeCpus === undefined ? {} : { nodeCpus, numaNodes: nodeCpus.length }),
    pciDevices: realPciDevices(),
  });
}
