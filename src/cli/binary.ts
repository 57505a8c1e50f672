/**
 * The QEMU binary a command models: its release, target and build (binary-target.ts), the types it
 * registers and the machine catalog from compat/. One place decides what "hotmem as
 * qemu-system-x86_64 7.2" is.
 */
import type { QemuBinary } from '../frontends/cmdline/qemu.js';
import { compatCatalog } from '../machine/compat-catalog.js';
import { MACHINE_FAMILIES } from '../../machines/index.js';
import { BASE_TYPES } from '../qom/base-types.js';
import { DEVICE_TYPES } from '../../devices/index.js';
import { TypeRegistry } from '../qom/registry.js';
import { binaryTarget, machineHelp } from './binary-target.js';

export { BINARY_OPTIONS } from './binary-target.js';

/** The registry every modelled binary starts from; device packages add their types here. */
export function typeRegistry(): TypeRegistry {
  return new TypeRegistry().register(...BASE_TYPES, ...DEVICE_TYPES);
}

export function qemuBinary(options: ReadonlyMap<string, string | true>): QemuBinary {
  const target = binaryTarget(options);
  return {
    release: target.release,
    arch: target.arch,
    environment: { registry: typeRegistry(), catalog: compatCatalog(target.data, target.build), families: MACHINE_FAMILIES },
    machineHelp: () => machineHelp(target),
  };
}
