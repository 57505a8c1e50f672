/**
 * The generic QOM types under every virtio device and its PCI transport, with their property
 * tables as QEMU 7.2 declares them (hw/virtio/virtio.c virtio_properties, hw/pci/pci.c
 * pci_props, hw/virtio/virtio-pci.c virtio_pci_properties). qdev "bit" properties describe
 * themselves as `on/off`; plain bools have no description until 10.0.
 */
import type { PropertyDef, ReleaseHistory } from '../qom/property.js';
import { ON_OFF_AUTO } from '../qom/property.js';
import type { TypeInfo } from '../qom/type-info.js';
import type { QomObject } from '../qom/object.js';
import { BUS_ADDRESS, CSS_DEVID_UNSET, formatCssDevId, parseCssDevIdInput, parsePciDevfn, PCI_DEVFN_AUTO } from '../qom/qdev-address-props.js';
import type { FeatureSet } from './feature-set.js';
import { commonHostFeatures, VIRTIO_COMMON_FEATURE_PROPERTIES, virtioPciPrePlug } from './host-features.js';
import type { VirtioTransportKind } from './device-runtime.js';
import { virtioPciModern } from './pci-proxy.js';
import { VIRTIO_F_VERSION_1 } from './transport-features.js';

/** qdev_prop_bool gained the `on/off` description in 10.0 (commit 45e5b49360). */
export const BOOL_DESCRIPTION: ReleaseHistory<string> = [{ since: '10.0', value: 'on/off' }];

const bit = (name: string, defaultValue: boolean, extra: Partial<PropertyDef> = {}): PropertyDef => ({
  name,
  type: { kind: 'bool' },
  origin: 'field',
  description: 'on/off',
  default: defaultValue,
  ...extra,
});

const bool = (name: string, defaultValue: boolean, extra: Partial<PropertyDef> = {}): PropertyDef => ({
  name,
  type: { kind: 'bool' },
  origin: 'field',
  description: BOOL_DESCRIPTION,
  default: defaultValue,
  ...extra,
});

/** When each common feature switch appeared. */
const COMMON_FEATURE_SINCE: Readonly<Record<string, string>> = { queue_reset: '7.2' };

const VIRTIO_DEVICE_PROPERTIES: readonly PropertyDef[] = [
  ...VIRTIO_COMMON_FEATURE_PROPERTIES.map((p) =>
    bit(p.property, p.default, COMMON_FEATURE_SINCE[p.property] ? { since: COMMON_FEATURE_SINCE[p.property]! } : {}),
  ),
  // VIRTIO_F_IN_ORDER's switch (Jonah Palmer, "virtio: Add VIRTIO_F_IN_ORDER property
  // definition", 9.1); the device offers nothing for it here, it is not in the feature tables.
  bit('in_order', false, { since: '9.1' }),
  bool('use-started', true),
  bool('use-disabled-flag', true),
  bool('x-disable-legacy-check', false),
];

/**
 * qdev_prop_pci_devfn: "slot[.fn]" text or an int32 devfn. The bus writes the devfn it assigns
 * back into the field, so after realize the property reads the device's address. Its type name
 * reads `str` in 10.0's binary, `int32` in 7.2's (dated 10.0).
 */
const PCI_ADDR: PropertyDef = {
  name: 'addr',
  type: { kind: 'int32' },
  origin: 'field',
  description: 'Slot and optional function number, example: 06.0 or 06',
  default: PCI_DEVFN_AUTO,
  parse: (obj, input) => parsePciDevfn(obj.type, 'addr', input, obj.model.env.release),
};

/**
 * Releases between two read binaries (5.2, 7.2, 10.0, 11.1) date a property by the commit that
 * added it or, where named, by the hw_compat array that turns it off for older machines.
 */
const PCI_DEVICE_PROPERTIES: readonly PropertyDef[] = [
  { name: 'rombar', type: { kind: 'uint32' }, origin: 'field', default: 1, until: '9.1' },
  // An int32 with -1 for "not set", so an explicit rombar=1 can be told apart (Akihiko Odaki,
  // "hw/pci: Determine if rombar is explicitly enabled", 9.1).
  { name: 'rombar', type: { kind: 'int32' }, origin: 'field', default: -1, since: '9.1' },
  { name: 'romfile', type: { kind: 'str' }, origin: 'field' },
  { name: 'romsize', type: { kind: 'uint32' }, origin: 'field', default: 4294967295, since: '7.2' },
  { ...PCI_ADDR, until: '10.0' },
  { ...PCI_ADDR, typeName: 'str', since: '10.0' },
  bit('multifunction', false),
  bit('x-pcie-lnksta-dllla', true),
  bit('x-pcie-extcap-init', true, { until: '11.0' }),
  { name: 'failover_pair_id', type: { kind: 'str' }, origin: 'field' },
  // Igor Mammedov, "pci: introduce acpi-index property for PCI device" (6.0).
  { name: 'acpi-index', type: { kind: 'uint32' }, origin: 'field', default: 0, since: '6.0' },
  // hw_compat_7_2 turns it off from 8.1, hw_compat_8_0 the ARI one, hw_compat_9_1 the ext-tag one.
  bit('x-pcie-err-unc-mask', true, { since: '8.1' }),
  bit('x-pcie-ari-nextfn-1', false, { since: '8.1' }),
  // Mattias Nissler, "pci: Make bounce buffer size configurable" (9.1): a size32 field.
  {
    name: 'x-max-bounce-buffer-size',
    type: { kind: 'size' },
    origin: 'field',
    description: 'Maximum buffer size allocated for bounce buffers used for mapped access to indirect DMA memory',
    default: 4096,
    since: '9.1',
  },
  bit('x-pcie-ext-tag', true, { since: '9.2' }),
  // The SR-IOV function's bus number, read-only with no default (pcie_sriov, 10.0); sriov-pf
  // names a physical function for a VF created with -device (in 11.0.3's source, not 10.0.13's
  // binary; 10.1 and 10.2 are not checked).
  // Every modelled PCI device sits on a root bus, number 0.
  { name: 'busnr', type: { kind: 'uint8' }, typeName: 'busnr', origin: 'custom', readOnly: true, get: () => 0, since: '10.0' },
  { name: 'sriov-pf', type: { kind: 'str' }, origin: 'field', since: '11.0' },
];

const VIRTIO_PCI_PROPERTIES: readonly PropertyDef[] = [
  bit('virtio-pci-bus-master-bug-migration', false),
  // Gone with hw_compat_2_4 in 10.1.
  bit('migrate-extra', true, { until: '10.1' }),
  bit('modern-pio-notify', false),
  bit('x-disable-pcie', false, { until: '10.1' }),
  bit('page-per-vq', false),
  // Gone with hw_compat_2_7 in 11.0.
  bool('x-ignore-backend-features', false, { until: '11.0' }),
  bit('ats', false),
  // hw_compat_5_1 turns it off for older machines: it arrived in 6.0.
  bit('x-ats-page-aligned', true, { since: '6.0' }),
  // Gone with hw_compat_2_8 in 11.0 (11.0.3's source and binary).
  bit('x-pcie-deverr-init', true, { until: '11.0' }),
  bit('x-pcie-lnkctl-init', true, { until: '11.0' }),
  bit('x-pcie-pm-init', true, { until: '11.0' }),
  bit('x-pcie-flr-init', true),
  // Andrew Melnychenko's AER capability (posted October 2020, after 5.2's freeze): 6.0.
  bit('aer', false, { since: '6.0' }),
  // hw_compat_9_0 turns it off from 9.1.
  bit('x-pcie-pm-no-soft-reset', false, { since: '9.1' }),
  { name: 'disable-legacy', type: ON_OFF_AUTO, origin: 'field', description: 'on/off/auto', default: 'auto' },
  bool('disable-modern', false),
];

const CSS_DEVID_RO_DESCRIPTION = 'Read-only identifier of an I/O device in the channel subsystem, example: fe.1.23ab';

/** The bus id (dev_id) or subchannel id (subch_id) the channel subsystem gave a realized device. */
function ccwIdOf(obj: QomObject, which: 'dev' | 'subch'): string {
  const address = obj.slots.get(BUS_ADDRESS);
  if (address?.kind !== 'ccw') return CSS_DEVID_UNSET;
  return formatCssDevId(which === 'dev' ? address.id : { ...address.id, devno: address.schid });
}

export const VIRTIO_BASE_TYPES: readonly TypeInfo[] = [
  { name: 'virtio-device', parent: 'device', abstract: true, bus: 'virtio-bus', properties: VIRTIO_DEVICE_PROPERTIES },
  { name: 'pci-device', parent: 'device', abstract: true, bus: 'PCI', properties: PCI_DEVICE_PROPERTIES },
  { name: 'virtio-pci', parent: 'pci-device', abstract: true, properties: VIRTIO_PCI_PROPERTIES },
  {
    name: 'virtio-ccw-device',
    parent: 'device',
    abstract: true,
    targets: ['s390x'],
    bus: 'virtual-css-bus',
    properties: [
      {
        name: 'devno',
        type: { kind: 'str' },
        origin: 'field',
        description: 'Identifier of an I/O device in the channel subsystem, example: fe.1.23ab',
        parse: (obj, input) => parseCssDevIdInput(obj.type, 'devno', input),
        get: (obj) => obj.stored('devno') ?? CSS_DEVID_UNSET,
      },
      // The bus id and subchannel the channel subsystem gave the device at realize.
      {
        name: 'dev_id',
        type: { kind: 'str' },
        origin: 'field',
        readOnly: true,
        description: CSS_DEVID_RO_DESCRIPTION,
        get: (obj) => ccwIdOf(obj, 'dev'),
      },
      {
        name: 'subch_id',
        type: { kind: 'str' },
        origin: 'field',
        readOnly: true,
        description: CSS_DEVID_RO_DESCRIPTION,
        get: (obj) => ccwIdOf(obj, 'subch'),
      },
      bit('ioeventfd', true),
      { name: 'max_revision', type: { kind: 'uint32' }, origin: 'field', default: 2 },
    ],
  },
];

/**
 * The common feature switches as one virtio device's properties set them. A switch its release
 * does not have yet is a feature that release does not know: it is off, not defaulted
 * (queue_reset arrived in 7.2, so 7.0 and 7.1 never offer VIRTIO_F_RING_RESET).
 */
export function deviceCommonFeatures(device: QomObject): FeatureSet {
  const props = device.model.view.properties(device.type);
  const values: Record<string, boolean> = {};
  for (const p of VIRTIO_COMMON_FEATURE_PROPERTIES) values[p.property] = props.has(p.property) && device.get(p.property) === true;
  return commonHostFeatures(values);
}

/** The transport a virtio device is plugged into: its proxy's kind (virtio-pci unless ccw). */
export function virtioTransportOf(device: QomObject): VirtioTransportKind {
  const proxy = device.parent;
  return proxy && device.model.view.isA(proxy.type, 'virtio-ccw-device') ? 'ccw' : 'pci';
}

/**
 * A virtio device's host features once its transport has plugged it: the common switches, what
 * the proxy's pre-plug hook adds (virtio_pci_pre_plugged: BAD_FEATURE, and VERSION_1 with the
 * modern interface; virtio_ccw_pre_plugged: VERSION_1 from max_revision 1, never BAD_FEATURE),
 * then the device's own bits.
 */
export function transportHostFeatures(device: QomObject, deviceFeatures: FeatureSet): FeatureSet {
  const common = deviceCommonFeatures(device);
  const proxy = device.parent;
  const view = device.model.view;
  if (proxy && view.isA(proxy.type, 'virtio-pci')) return virtioPciPrePlug(common, { modern: virtioPciModern(proxy) }).union(deviceFeatures);
  if (proxy && view.isA(proxy.type, 'virtio-ccw-device'))
    return ((proxy.get('max_revision') as number) >= 1 ? common.with(VIRTIO_F_VERSION_1) : common).union(deviceFeatures);
  return common.union(deviceFeatures);
}
