/**
 * Property tables of the memory backends (backends/hostmem*.c). Descriptions and type strings
 * are QEMU 7.2's `-object TYPE,help`; `size` shows as `int` but parses as a size, as in QEMU.
 * Setters carry QEMU's refusals once the backend is allocated ("cannot change ...").
 */
import { HotmemError } from '../../src/core/errors.js';
import { checkUint16List } from '../../src/core/parse/uint16-list.js';
import type { QomObject } from '../../src/qom/object.js';
import { ON_OFF_AUTO, type PropertyDef, type QomValue } from '../../src/qom/property.js';
import { RAM_BLOCK } from '../../src/machine/ram-block.js';

const allocated = (obj: QomObject): boolean => obj.slots.get(RAM_BLOCK) !== undefined;

/** A setter that refuses after allocation with `message(obj)`. */
const frozenAfterAlloc =
  (message: (obj: QomObject, name: string) => string, name: string) =>
  (obj: QomObject): void => {
    if (allocated(obj)) throw new HotmemError('backend.frozen', message(obj, name), { property: name });
  };

const cannotChangeValue = () => 'cannot change property value';
const cannotChangeNamed = (obj: QomObject, name: string) => `cannot change property '${name}' of ${obj.type}`;

/** host-nodes: a list of host NUMA node numbers and ranges, held as `0`, `0-1`, `0:2`; each < MAX_NODES. */
function checkHostNodes(value: QomValue): void {
  const text = String(value);
  if (text === '') return;
  checkUint16List('host-nodes', text);
  for (const node of text.split(/[:-]/).map(Number)) {
    if (node >= 128) throw new HotmemError('backend.host-nodes', `Invalid host-nodes value: ${node}`, { node });
  }
}

/**
 * host-nodes as its getter visits it (host_memory_backend_get_host_nodes): the bitmap's set bits,
 * ascending, each once; an empty list when none is set.
 */
export function hostNodeList(value: QomValue): number[] {
  const nodes = new Set<number>();
  for (const item of String(value).split(':').filter(Boolean)) {
    const [first, last = first] = item.split('-').map(Number) as [number, number?];
    for (let node = first; node <= last; node++) nodes.add(node);
  }
  return [...nodes].sort((a, b) => a - b);
}

export const HOST_MEM_POLICIES = ['default', 'preferred', 'bind', 'interleave'] as const;

export const MEMORY_BACKEND_PROPERTIES: readonly PropertyDef[] = [
  {
    name: 'size',
    type: { kind: 'size' },
    typeName: 'int',
    origin: 'custom',
    mandatory: true,
    description: 'Size of the memory region (ex: 500M)',
    set: (obj, value) => {
      if (allocated(obj)) throw new HotmemError('backend.frozen', `cannot change property size of ${obj.type} `, { property: 'size' });
      if (value === 0) throw new HotmemError('backend.zero', `property 'size' of ${obj.type} doesn't take value '0'`, { property: 'size' });
    },
  },
  { name: 'merge', type: { kind: 'bool' }, origin: 'custom', description: 'Mark memory as mergeable', default: true },
  { name: 'dump', type: { kind: 'bool' }, origin: 'custom', description: "Set to 'off' to exclude from core dump", default: true },
  {
    name: 'prealloc',
    type: { kind: 'bool' },
    origin: 'custom',
    description: 'Preallocate memory',
    default: false,
    set: (obj, value) => {
      if (value === true && obj.model.view.properties(obj.type).has('reserve') && obj.get('reserve') === false) {
        throw new HotmemError('backend.prealloc-noreserve', "'prealloc=on' and 'reserve=off' are incompatible", {});
      }
    },
  },
  {
    name: 'prealloc-threads',
    type: { kind: 'uint32' },
    typeName: 'int',
    origin: 'custom',
    description: 'Number of CPU threads to use for prealloc',
    default: 1,
    set: (obj, value) => {
      if (value === 0) throw new HotmemError('backend.zero', `property 'prealloc-threads' of ${obj.type} doesn't take value '0'`, {});
    },
  },
  {
    name: 'prealloc-context',
    since: '7.2',
    type: { kind: 'link', target: 'thread-context' },
    origin: 'custom',
    description: 'Context to use for creating CPU threads for preallocation',
  },
  {
    name: 'host-nodes',
    type: { kind: 'str' },
    typeName: 'int',
    origin: 'custom',
    description: 'Binds memory to the list of NUMA host nodes',
    default: '',
    optionSyntax: (text) => checkUint16List('host-nodes', text),
    set: (obj, value) => {
      checkHostNodes(value);
      // The options visitor gathers a repeated key into one list (host-nodes=0,host-nodes=5).
      const earlier = obj.stored('host-nodes');
      if (earlier === undefined || earlier === '' || value === '' || allocated(obj)) return;
      obj.store('host-nodes', `${String(earlier)}:${String(value)}`);
      return { stored: true };
    },
    visit: hostNodeList,
  },
  {
    name: 'policy',
    type: { kind: 'enum', typeName: 'HostMemPolicy', values: HOST_MEM_POLICIES },
    origin: 'custom',
    description: 'Set the NUMA policy',
    default: 'default',
  },
  {
    name: 'share',
    type: { kind: 'bool' },
    origin: 'custom',
    description: 'Mark the memory as private to QEMU or shared',
    default: false,
    set: frozenAfterAlloc(cannotChangeValue, 'share'),
  },
  {
    name: 'reserve',
    since: '6.1',
    type: { kind: 'bool' },
    origin: 'custom',
    description: 'Reserve swap space (or huge pages) if applicable',
    default: true,
    set: (obj, value) => {
      frozenAfterAlloc(cannotChangeValue, 'reserve')(obj);
      if (value === false && obj.get('prealloc') === true) {
        throw new HotmemError('backend.prealloc-noreserve', "'prealloc=on' and 'reserve=off' are incompatible", {});
      }
    },
  },
  { name: 'x-use-canonical-path-for-ramblock-id', type: { kind: 'bool' }, origin: 'custom', default: false },
];

export const MEMORY_BACKEND_FILE_PROPERTIES: readonly PropertyDef[] = [
  {
    name: 'mem-path',
    type: { kind: 'str' },
    typeName: 'string',
    origin: 'custom',
    mandatory: true,
    set: frozenAfterAlloc((o) => `cannot change property 'mem-path' of ${o.type}`, 'mem-path'),
  },
  { name: 'align', type: { kind: 'size' }, typeName: 'int', origin: 'custom', default: 0, set: frozenAfterAlloc(cannotChangeNamed, 'align') },
  {
    name: 'offset',
    since: '8.1',
    type: { kind: 'size' },
    typeName: 'int',
    origin: 'custom',
    description: 'Offset into the target file (ex: 1G)',
    default: 0,
    set: frozenAfterAlloc(cannotChangeNamed, 'offset'),
  },
  { name: 'discard-data', type: { kind: 'bool' }, origin: 'custom', default: false },
  {
    name: 'pmem',
    type: { kind: 'bool' },
    origin: 'custom',
    default: false,
    set: frozenAfterAlloc((o) => `cannot change property 'pmem' of ${o.type}.`, 'pmem'),
  },
  // "hostmem-file: add readonly=on|off option" (6.0); the real 5.2.0 has no such property.
  {
    name: 'readonly',
    since: '6.0',
    type: { kind: 'bool' },
    origin: 'custom',
    default: false,
    set: frozenAfterAlloc((o) => `cannot change property 'readonly' of ${o.type}.`, 'readonly'),
  },
  // Resolved at allocation (complete.ts): auto becomes readonly's value.
  {
    name: 'rom',
    since: '8.2',
    type: ON_OFF_AUTO,
    origin: 'custom',
    description: 'Whether to create Read Only Memory (ROM)',
    default: 'auto',
    set: frozenAfterAlloc((o) => `cannot change property 'rom' of ${o.type}.`, 'rom'),
  },
];

export const MEMORY_BACKEND_MEMFD_PROPERTIES: readonly PropertyDef[] = [
  {
    name: 'hugetlb',
    type: { kind: 'bool' },
    origin: 'custom',
    description: 'Use huge pages',
    default: false,
    set: frozenAfterAlloc(cannotChangeValue, 'hugetlb'),
  },
  {
    name: 'hugetlbsize',
    type: { kind: 'size' },
    typeName: 'int',
    origin: 'custom',
    description: 'Huge pages size (ex: 2M, 1G)',
    default: 0,
    set: (obj, value) => {
      frozenAfterAlloc(cannotChangeValue, 'hugetlbsize')(obj);
      if (value === 0) throw new HotmemError('backend.zero', `Property '${obj.type}.hugetlbsize' doesn't take value '0'`, {});
    },
  },
  {
    name: 'seal',
    type: { kind: 'bool' },
    origin: 'custom',
    description: 'Seal growing & shrinking',
    default: true,
    set: frozenAfterAlloc(cannotChangeValue, 'seal'),
  },
];
