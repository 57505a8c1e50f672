/**
 * nvdimm as a QOM type: a pc-dimm whose memdev ends in a label area (hw/mem/nvdimm.c). It maps
 * the memdev minus the label, aligned down to the memdev's alignment, decided once, in pre-plug
 * (nvdimm_prepare_memory_region), after which label-size cannot change. The board refuses it
 * unless `-machine nvdimm=on`, and refuses to unplug it.
 */
import { alignDown, hex } from '../../src/core/units.js';
import { defineErrors } from '../../src/core/errors.js';
import { key } from '../../src/core/keys.js';
import { isQemuUuid } from '../../src/core/parse/uuid.js';
import type { QomObject } from '../../src/qom/object.js';
import type { PropertyDef } from '../../src/qom/property.js';
import { implement, type TypeInfo } from '../../src/qom/type-info.js';
import { BOOL_DESCRIPTION } from '../../src/virtio/qom-types.js';
import type { LinkedMemdev } from '../../src/machine/backend-use.js';
import { DIMM_REGION, type DimmRegion } from '../pc-dimm/memdev.js';
import { NVDIMM_TYPE, PC_DIMM_TYPE } from '../pc-dimm/index.js';

/** MIN_NAMESPACE_LABEL_SIZE: the smallest label area Linux accepts. */
const MIN_LABEL_SIZE = 128 * 1024;

export const nvdimmErrors = defineErrors({
  'nvdimm.label-frozen': () => 'cannot change property value',
  'nvdimm.label-too-small': (a: { size: number }) => `Property 'nvdimm.label-size' (${hex(a.size)}) is required at least ${hex(MIN_LABEL_SIZE)}`,
  'nvdimm.uuid-invalid': () => "Property 'nvdimm.uuid' has invalid value",
  'nvdimm.memdev-too-small': (a: { memdev: string; size: number; label: number; align: number }) =>
    `the size of memdev ${a.memdev} (${hex(a.size)}) is too small to contain nvdimm label (${hex(a.label)}) and aligned PMEM (${hex(a.align)})`,
});

/** The region once prepared (NVDIMMDevice.nvdimm_mr). */
const PREPARED = key<DimmRegion>('nvdimm region');

function prepare(dimm: QomObject, memdev: LinkedMemdev, alignment: number): DimmRegion {
  const prepared = dimm.slots.get(PREPARED);
  if (prepared) return prepared;
  const label = dimm.get('label-size') as number;
  const size = memdev.block.size;
  const pmem = alignDown(size - label, alignment);
  if (size <= label || pmem === 0) throw nvdimmErrors.error('nvdimm.memdev-too-small', { memdev: memdev.backend.id ?? '', size, label, align: alignment });
  const region = { size: pmem, alignment };
  dimm.slots.set(PREPARED, region);
  return region;
}

const PROPERTIES: readonly PropertyDef[] = [
  { name: 'unarmed', type: { kind: 'bool' }, origin: 'field', description: BOOL_DESCRIPTION, default: false },
  {
    name: 'label-size',
    type: { kind: 'size' },
    typeName: 'int',
    origin: 'custom',
    default: 0,
    set: (dimm, value) => {
      if (dimm.slots.get(PREPARED)) throw nvdimmErrors.error('nvdimm.label-frozen');
      if ((value as number) < MIN_LABEL_SIZE) throw nvdimmErrors.error('nvdimm.label-too-small', { size: value as number });
    },
  },
  {
    name: 'uuid',
    type: { kind: 'str' },
    typeName: 'QemuUUID',
    origin: 'custom',
    default: '00000000-0000-0000-0000-000000000000',
    set: (_dimm, value) => {
      if (!isQemuUuid(value as string)) throw nvdimmErrors.error('nvdimm.uuid-invalid');
    },
  },
];

export const NVDIMM_TYPES: readonly TypeInfo[] = [
  {
    name: NVDIMM_TYPE,
    parent: PC_DIMM_TYPE,
    targets: ['x86_64'],
    userCreatable: true,
    hotpluggable: true,
    properties: PROPERTIES,
    implementations: [implement(DIMM_REGION, prepare)],
  },
];
