/**
 * PCI bridges and the bus each puts behind it (hw/pci-bridge/, hw/pci/pcie_port.c, hw/pci/shpc.c):
 * which bridge types hotmem models, their secondary bus and its name, the checks their realize
 * makes, and which hotplug handler the bus gets on the machine. Checked against the real 5.2, 7.2,
 * 10.0 and 11.1 (test/conformance/pci-bridges.test.ts).
 */
import { defineErrors } from '../core/errors.js';
import { compareReleases, type Release } from '../core/release.js';
import type { BusHotplug, BusSpec } from './family.js';

/**
 * What a bridge is to its secondary bus:
 * - `pcie-slot`: a PCIe root or downstream port, one slot (chassis, slot) in QEMU's PCIe chassis
 *   registry, native hotplug unless hotplug=off;
 * - `upstream`: a PCIe switch's upstream port, whose bus takes the downstream ports, no hotplug;
 * - `shpc-bridge`: a PCI bridge with a chassis number and, with shpc=on, a standard hotplug controller;
 * - `pcie-pci-bridge`: always an SHPC;
 * - `dmi-bridge`: no hotplug controller of its own;
 * - `expander`: a PCI expander bridge (hw/pci-bridge/pci_expander_bridge.c), a host bridge of its
 *   own with a root bus numbered bus_nr that takes only bridges: pxb-pcie's is PCIe and named by
 *   the id; pxb's is pxb-internal, holding a pci-bridge (chassis_nr = bus_nr, shpc=off) whose bus
 *   is named by the id.
 */
export type BridgeRole = 'pcie-slot' | 'upstream' | 'shpc-bridge' | 'pcie-pci-bridge' | 'dmi-bridge' | 'expander';

export interface BridgeRule {
  /** The secondary bus's class (TYPE_PCIE_BUS or TYPE_PCI_BUS). */
  readonly secondary: 'PCI' | 'PCIE';
  readonly role: BridgeRole;
}

/** The bridge types hotmem models, by QOM type name (ioh3420 is a pcie-root-port-base like pcie-root-port). */
const BRIDGES: Readonly<Record<string, BridgeRule>> = {
  'pcie-root-port': { secondary: 'PCIE', role: 'pcie-slot' },
  ioh3420: { secondary: 'PCIE', role: 'pcie-slot' },
  'xio3130-downstream': { secondary: 'PCIE', role: 'pcie-slot' },
  'x3130-upstream': { secondary: 'PCIE', role: 'upstream' },
  'pci-bridge': { secondary: 'PCI', role: 'shpc-bridge' },
  'pci-bridge-seat': { secondary: 'PCI', role: 'shpc-bridge' },
  'pcie-pci-bridge': { secondary: 'PCI', role: 'pcie-pci-bridge' },
  'i82801b11-bridge': { secondary: 'PCI', role: 'dmi-bridge' },
  pxb: { secondary: 'PCI', role: 'expander' },
  'pxb-pcie': { secondary: 'PCIE', role: 'expander' },
};

export function bridgeRule(type: string): BridgeRule | undefined {
  return Object.hasOwn(BRIDGES, type) ? BRIDGES[type] : undefined;
}

export const bridgeErrors = defineErrors({
  // hw/pci/slotid_cap.c slotid_cap_init
  'bridge.no-chassis': () => 'Bridge chassis not specified. Each bridge is required to be assigned a unique chassis id > 0.',
  // hw/pci/pcie_port.c pcie_chassis_add_slot's -EBUSY, as the ports' realize prints it.
  'bridge.chassis-slot-in-use': () => "Can't add chassis slot, error -16",
  // hw/pci/shpc.c shpc_device_plug_cb / shpc_device_pre_plug_cb
  'shpc.slot-0': () => 'Unsupported PCI slot 0 for standard hotplug controller. Valid slots are between 1 and 31.',
  // hw/pci/pcie.c pcie_cap_slot_pre_plug_cb / pcie_cap_slot_unplug_request_cb with hotplug=off
  'pcie.hotplug-off': (a: { port: string | undefined }) => `Hot-plug failed: unsupported by the port device '${a.port ?? '(null)'}'`,
  'pcie.hotunplug-off': (a: { port: string | undefined }) => `Hot-unplug failed: unsupported by the port device '${a.port ?? '(null)'}'`,
  // hw/pci-bridge/pci_expander_bridge.c
  'pxb.on-pcie': () => 'pxb devices cannot reside on a PCIe bus',
  'pxb.on-pci': () => 'pxb-pcie devices cannot reside on a PCI bus',
  'pxb.numa-node': (a: { node: number }) => `Illegal numa node ${a.node}`,
  'pxb.not-root': () => 'PXB devices can be attached only to root bus',
  'pxb.bus-in-use': (a: { bus: number }) => `Bus ${a.bus} is already in use`,
  'bridge.not-modelled': (a: { driver: string }) =>
    `hotmem models no bus behind device '${a.driver}' (a PCI bridge or expander bridge of this release), so devices could not be placed behind it; it is not created`,
});

/** The bridge's properties its secondary bus depends on. */
export interface BridgeSettings {
  /** pcie-slot `hotplug` (default on). */
  readonly hotplug: boolean;
  /** pci-bridge `shpc` (default on). */
  readonly shpc: boolean;
}

/**
 * The secondary bus's hotplug handler. Where the board's ACPI hotplugs bridges' buses
 * (acpi-pci-hotplug-with-bridge-support: PIIX4 on pc; ICH9 on q35 from pc-q35-6.1), it takes every
 * bridge's bus; otherwise the bridge's own controller does. A port with hotplug=off refuses
 * hotplug in its bus from 7.2 on (is_hotpluggable_bus of the port and of acpi-pcihp, upstream 8.0's
 * ceefa0b746 "pci: fix 'hotplugglable' property behavior", which the real 7.2.22 has); before, the
 * port refuses each request itself.
 */
export function secondaryBusHotplug(rule: BridgeRule, settings: BridgeSettings, acpiBridges: boolean, release: Release): BusHotplug {
  if (rule.role === 'pcie-slot' && !settings.hotplug && compareReleases(release, { major: 7, minor: 2 }) >= 0) return 'none';
  if (acpiBridges) return 'acpi-pcihp';
  switch (rule.role) {
    case 'pcie-slot':
      return settings.hotplug ? 'pcie-slot' : 'pcie-slot-off';
    case 'shpc-bridge':
      return settings.shpc ? 'shpc' : 'none';
    case 'pcie-pci-bridge':
      return 'shpc';
    // An expander's root bus takes bridges only, none of them by device_add in hotmem.
    case 'upstream':
    case 'dmi-bridge':
    case 'expander':
      return 'none';
  }
}

/**
 * How many buses of the kind the root buses have named by automatic id (qbus_init names an
 * unnamed bus by its lowercase class and the class's count; q35's root bus is named pcie.0
 * outright, so the first unnamed port's bus is pcie.0 too, and `bus=pcie.0` finds the root first).
 */
export function automaticNames(buses: readonly BusSpec[], kind: 'PCI' | 'PCIE'): number {
  return buses.filter((b) => b.kind === kind && b.automaticName === true).length;
}

/** The bus numbers of the machine's root buses' children, and the NUMA nodes, as an expander's realize checks them. */
export interface ExpanderContext {
  /** The bus the expander is on: its kind, and whether it is the board's root bus. */
  readonly parentKind: BusSpec['kind'];
  readonly parentIsBoardRoot: boolean;
  readonly numbersInUse: readonly number[];
  readonly numaNodes: number;
}

/** pxb_dev_realize_common's checks, in its order (the bus's kind first, its own realize's). */
export function checkExpander(type: string, busNr: number, numaNode: number, ctx: ExpanderContext): void {
  const e = bridgeErrors;
  if (type === 'pxb' && ctx.parentKind === 'PCIE') throw e.error('pxb.on-pcie');
  if (type === 'pxb-pcie' && ctx.parentKind !== 'PCIE') throw e.error('pxb.on-pci');
  if (numaNode !== NUMA_NODE_UNASSIGNED && numaNode >= ctx.numaNodes) throw e.error('pxb.numa-node', { node: numaNode });
  if (!ctx.parentIsBoardRoot) throw e.error('pxb.not-root');
  if (ctx.numbersInUse.includes(busNr)) throw e.error('pxb.bus-in-use', { bus: busNr });
  // pxb's pci-bridge takes bus_nr as its chassis number.
  if (type === 'pxb' && busNr === 0) throw e.error('bridge.no-chassis');
}

/** include/system/numa.h NUMA_NODE_UNASSIGNED (MAX_NODES), the expanders' numa_node default. */
const NUMA_NODE_UNASSIGNED = 128;

/** pxb_host_root_bus_path: an expander's root bus is "0000:NN" of its bus number. */
export const expanderBusPath = (busNr: number): string => `0000:${busNr.toString(16).padStart(2, '0')}`;
