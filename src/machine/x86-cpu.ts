/**
 * What the x86 CPU (-cpu MODEL,props) decides about guest memory: its vendor (an AMD vCPU has
 * RAM relocated above the HyperTransport hole near 1 TiB) and its physical address bits (the
 * bound pc_memory_init checks the highest used address against), as x86_cpu_realizefn and
 * host-cpu.c settle them per accelerator.
 */
import { HotmemError, type Warning } from '../core/errors.js';
import { parseScalar } from '../core/parse/input-visitor.js';
import { compareReleases, type Release } from '../core/release.js';
import type { HostX86Cpu } from '../host/host.js';
import type { Accelerator } from './machine.js';

/**
 * The -cpu option as parse_cpu_option leaves it: the model, the properties after it (each a
 * global of the model's CPU type), the legacy `+flag`/`-flag` lists, and what parsing printed.
 */
export interface CpuOption {
  readonly model: string;
  readonly props: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly plus: readonly string[];
  readonly minus: readonly string[];
  readonly warnings: readonly Warning[];
  readonly error?: HotmemError;
}

export interface X86CpuFacts {
  /** IS_AMD_CPU: the vendor string is AuthenticAMD (Hygon's Dhyana is not). */
  readonly amd: boolean;
  readonly physBits: number;
}

/** The x86_64 default CPU model. */
const DEFAULT_MODEL = 'qemu64';
/** TCG_PHYS_ADDR_BITS on x86_64, also every model's default under KVM without host-phys-bits. */
const TCG_PHYS_ADDR_BITS = 40;

/** builtin_x86_defs' AMD models (every version of them); the others are Intel, Hygon or Zhaoxin. */
const AMD_MODELS = /^(qemu64|phenom|athlon|Opteron_G\d|EPYC(-[A-Za-z]+)?)(-v\d+)?$/;
/** Models without long mode: their phys-bits is 36 or 32 whatever is asked, and not modelled. */
const WITHOUT_LONG_MODE = /^(base|486|pentium|pentium2|pentium3|qemu32|kvm32|coreduo|n270|athlon)(-v\d+)?$/;

const fail = (message: string) => new HotmemError('machine.cpu', message);

/** The CPU properties that shape the address space, which need no feature data. */
const ADDRESS_PROPERTIES: readonly string[] = ['phys-bits', 'host-phys-bits', 'host-phys-bits-limit'];

/**
 * In a release no binary was read from, hotmem knows no model's flags: it takes the address
 * properties and refuses any other feature by name rather than guess its effect.
 */
export function checkUnmodelledFeatures(option: CpuOption, r: Release): void {
  const other = [...option.plus, ...option.minus, ...option.props.map((p) => p.name).filter((n) => !ADDRESS_PROPERTIES.includes(n))][0];
  if (other !== undefined) throw fail(`hotmem has no CPU feature data of QEMU ${r.major}.${r.minor}, so does not model the CPU property '${other}'`);
}

/**
 * x86_cpu_realizefn's phys-bits: set explicitly, taken from the host (KVM with host-phys-bits,
 * on by default for `host` and `max`, capped by host-phys-bits-limit), or TCG's 40.
 */
export function x86CpuFacts(option: CpuOption | undefined, accel: Accelerator, host: HostX86Cpu, r: Release, warn: (w: Warning) => void): X86CpuFacts {
  const model = option?.model ?? DEFAULT_MODEL;
  if (WITHOUT_LONG_MODE.test(model)) throw fail(`hotmem does not model the address space of the 32-bit CPU model '${model}'`);
  const props = new Map((option?.props ?? []).map((p) => [p.name, p.value]));
  const value = (name: string, kind: 'uint32' | 'uint8' | 'bool') => {
    const text = props.get(name);
    return text === undefined ? undefined : parseScalar({ kind }, name, text, 'opts', r).value;
  };
  const kvm = accel === 'kvm';
  const hostPhysBits = kvm && ((value('host-phys-bits', 'bool') as boolean | undefined) ?? (model === 'host' || model === 'max'));
  const limit = (value('host-phys-bits-limit', 'uint8') as number | undefined) ?? 0;
  let physBits = (value('phys-bits', 'uint32') as number | undefined) ?? 0;
  if (hostPhysBits) {
    physBits = limit !== 0 && limit < host.physAddrBits ? limit : host.physAddrBits;
  } else if (kvm && physBits !== 0 && physBits !== host.physAddrBits) {
    warn({ code: 'machine.cpu-phys-bits', message: `Host physical bits (${host.physAddrBits}) does not match phys-bits property (${physBits})` });
  }
  if (physBits !== 0) checkPhysBits(physBits, kvm, r);
  return { amd: isAmdCpu(option, accel, host), physBits: physBits === 0 ? TCG_PHYS_ADDR_BITS : physBits };
}

/** IS_AMD_CPU of the -cpu model: `host` (and `max` under KVM) takes the host's vendor; TCG's `max` is AMD. */
export function isAmdCpu(option: CpuOption | undefined, accel: Accelerator, host: HostX86Cpu): boolean {
  const model = option?.model ?? DEFAULT_MODEL;
  return model === 'host' || (model === 'max' && accel === 'kvm') ? host.vendor === 'amd' : model === 'max' || AMD_MODELS.test(model);
}

/**
 * The range x86_cpu_realizefn accepts. TCG took 40 only until 6.1 ("target/i386: allow modifying
 * TCG phys-addr-bits", March 2021); 11.0 dropped the upper bound (Anton Johansson's "Drop
 * physical address range checks"), though KVM still aborts past 52.
 */
function checkPhysBits(physBits: number, kvm: boolean, r: Release): void {
  if (!kvm && compareReleases(r, { major: 6, minor: 1 }) < 0 && physBits !== TCG_PHYS_ADDR_BITS) {
    throw fail(`TCG only supports phys-bits=${TCG_PHYS_ADDR_BITS}`);
  }
  if (compareReleases(r, { major: 11, minor: 0 }) >= 0) {
    if (physBits < 32) throw fail(`phys-bits should be at least 32 (but is ${physBits})`);
    if (kvm && physBits > 52) throw fail(`hotmem does not model phys-bits=${physBits} under KVM (QEMU ${r.major}.${r.minor} aborts in kvm_get_msrs)`);
    return;
  }
  if (physBits < 32 || physBits > 52) throw fail(`phys-bits should be between 32 and 52  (but is ${physBits})`);
}
