/**
 * The QEMU binary a command models: its release, target and build (binary-target.ts), the types it
 * registers and the machine catalog from compat/. One place decides what "hotmem as
 * qemu-system-x86_64 7.2" is.
 */
import { processCache } from '../core/process-cache.js';
import type { QemuBinary } from '../frontends/cmdline/qemu.js';
import { compatCatalog } from '../machine/compat-catalog.js';
import { MACHINE_FAMILIES } from '../../machines/index.js';
import { BASE_TYPES } from '../qom/base-types.js';
import { DEVICE_TYPES } from '../../devices/index.js';
import { vfioPciType } from '../../devices/vfio-pci/index.js';
import { TypeRegistry } from '../qom/registry.js';
import { opaqueDeviceType } from '../qom/opaque-device.js';
import { BINARY_OPTIONS, binaryTarget, machineHelp } from './binary-target.js';

export { BINARY_OPTIONS };

/**
 * The registry every modelled binary starts from; device packages add their types here, those
 * built from the release's device data (vfio-pci) come from its lookup, and any other device
 * type of the release is an opaque one.
 */
export function typeRegistry(): TypeRegistry {
  return new TypeRegistry((name, env, info) => vfioPciType(name, env, info) ?? opaqueDeviceType(name, env, info)).register(...BASE_TYPES, ...DEVICE_TYPES);
}

/**
 * Binaries already described, by their options: a binary is immutable data, and a batch or a
 * migration asks for the same one at every invocation, each reusing what the last one resolved
 * (type views, machine types). This cache is the module's only state.
 */
const binaries = processCache<string, QemuBinary>();

export function qemuBinary(options: ReadonlyMap<string, string | true>): QemuBinary {
  const key = BINARY_OPTIONS.map((o) => String(options.get(o.name) ?? '')).join(' ');
  let binary = binaries.get(key);
  if (!binary) {
    const target = binaryTarget(options);
    binary = {
      release: target.release,
      arch: target.arch,
      environment: { registry: typeRegistry(), catalog: compatCatalog(target.data, target.build), families: MACHINE_FAMILIES },
      machineHelp: () => machineHelp(target),
    };
    binaries.set(key, binary);
  }
  return binary;
}
