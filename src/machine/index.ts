export { MEMORY_BACKEND_TYPE, MEMORY_BACKEND_USE, type MemoryBackendUse } from './backend-use.js';
export { selectBus } from './buses.js';
export type { MachineCatalog, MachineTypeEntry } from './catalog.js';
export { placeMemoryDevice, type DeviceMemoryRegion, type PlacedMemoryDevice, type Placement, type PlacementRequest } from './device-memory.js';
export { machineErrors } from './errors.js';
export type { BoardPciFunction, BusAddressing, BusSpec, DefaultDevice, LayoutInput, MachineFamily, MachineVersion, MemoryLayout, RamRegion } from './family.js';
export { assignBusAddress, boardOccupants, busAddressErrors, cssDevPath, pciDevPath, qdevDevPath, type BusOccupant, type PlugRequest } from './bus-address.js';
export {
  Machine,
  MACHINE_SERVICE,
  StartupError,
  type Accelerator,
  type DeviceProps,
  type LocatedWarning,
  type MachineEnvironment,
  type MachineOptions,
  type OptionProps,
  type StartedMachine,
  type StartupItem,
} from './machine.js';
export { MACHINE_BASE_TYPE } from './machine-type.js';
export { MEMORY_DEVICE_INTERFACE, MEMORY_DEVICE_OPS, type MemoryDeviceInfo, type MemoryDeviceOps } from './memory-device.js';
export { parseMemorySize, type MemorySize, type MemorySizeRules, type ParsedMemorySize } from './memory-size.js';
export { completeNuma, MAX_NUMA_NODES, parseNumaNode, type NumaNode, type NumaRules } from './numa.js';
export { compatCatalog } from './compat-catalog.js';
export { HOST_PROCESS } from './host-process.js';
export { hasSharedZeropage, RAM_BLOCK, registerRam, sharedZeropage, unregisterRam, type RamBlock } from './ram-block.js';
export { discardRange, type RamDiscard } from './ram-discard.js';
export { guestMemoryPort, machineGuestMemory } from './guest-memory.js';
export { dumpGuestMemory, type DumpResult } from './dump.js';
