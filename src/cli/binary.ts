/**
 * The QEMU binary a command models: release, target, build switches, the types it registers and
 * the machine catalog from compat/. One place decides what "hotmem as qemu-system-x86_64 7.2" is.
 */
import { isArch, type Arch } from '../core/arch.js';
import { release as parseRelease, releaseName } from '../core/release.js';
import type { QemuBinary } from '../frontends/cmdline/qemu.js';
import { compatCatalog } from '../machine/compat-catalog.js';
import { loadCompatData } from '../machine/compat-data/load.js';
import { MACHINE_FAMILIES } from '../../machines/index.js';
import { BASE_TYPES } from '../qom/base-types.js';
import { DEVICE_TYPES } from '../../devices/index.js';
import { TypeRegistry } from '../qom/registry.js';
import { UsageError } from './command.js';

export const BINARY_OPTIONS = [
  { name: 'qemu-version', takesValue: true },
  { name: 'arch', takesValue: true, choices: ['x86_64', 's390x'] },
] as const;

/** The registry every modelled binary starts from; device packages add their types here. */
export function typeRegistry(): TypeRegistry {
  return new TypeRegistry().register(...BASE_TYPES, ...DEVICE_TYPES);
}

export function qemuBinary(options: ReadonlyMap<string, string | true>): QemuBinary {
  const data = loadCompatData();
  const versionText = (options.get('qemu-version') as string | undefined) ?? data.newestRelease().version;
  if (!data.releases().some((r) => r.version === versionText)) {
    throw new UsageError(`--qemu-version ${versionText} is not a modelled release (${data.releases().map((r) => r.version).join(', ')})`);
  }
  const archText = (options.get('arch') as string | undefined) ?? 'x86_64';
  if (!isArch(archText)) throw new UsageError(`--arch must be x86_64 or s390x (got '${archText}')`);
  const arch: Arch = archText;
  const r = parseRelease(versionText);
  const build = data.defaultBuildConfig(arch);
  return {
    release: r,
    arch,
    environment: { registry: typeRegistry(), catalog: compatCatalog(data, build), families: MACHINE_FAMILIES },
    machineHelp: () => data.formatMachineHelp(releaseName(r), arch, build),
  };
}
