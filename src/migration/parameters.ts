/**
 * Migration parameters on a machine: what query-migrate-parameters reports and what
 * migrate-set-parameters accepts (qmp_migrate_set_parameters: the QAPI visitor's type checks,
 * then migrate_params_check on the current parameters with the given ones laid over them; the
 * first failing check is the error and nothing changes). Types, defaults and checks are per
 * release, from compat/migration.yaml.
 */
import { enumValueMessage } from '../core/parse/input-visitor.js';
import { HotmemError } from '../core/errors.js';
import { releaseName } from '../core/release.js';
import type { Machine } from '../machine/machine.js';
import { migrationParameterChecks, migrationParameters, type MigrationParameterSpec, type ParameterCheck } from './qapi-data.js';
import { migrationSettings } from './settings.js';

/**
 * The build hotmem models: QEMU for Linux on a 64-bit host as distributions build it (Debian's
 * qemu-system-x86 7.2 has zstd and live block migration; none has QPL, UADK or QATzip).
 */
const BUILD_SWITCHES: ReadonlySet<string> = new Set(['CONFIG_LINUX', 'O_DIRECT', 'CONFIG_ZSTD', 'CONFIG_LIVE_BLOCK_MIGRATION']);
/** Every modelled host (x86_64, s390x) is 64-bit. */
const HOST_BITS: number = 64;
/** TARGET_PAGE_SIZE on x86_64 and s390x. */
const TARGET_PAGE_SIZE = 4096;

export type ParameterValue = number | boolean | string | readonly unknown[];

/** A parameter's value on the machine: set by migrate-set-parameters, or the release's default. */
export function migrationParameter(machine: Machine, name: string): ParameterValue | undefined {
  const set = migrationSettings(machine).parameters.get(name);
  if (set !== undefined) return set as ParameterValue;
  return migrationParameters(machine.release).find((p) => p.name === name)?.default;
}

/** query-migrate-parameters: every member reported always, and the others once set. */
export function queryMigrationParameters(machine: Machine): Record<string, unknown> {
  const set = migrationSettings(machine).parameters;
  const out: Record<string, unknown> = {};
  for (const spec of migrationParameters(machine.release)) {
    const value = set.get(spec.name) ?? spec.default;
    if (spec.reportedWhen === 'when-set' && !set.has(spec.name)) continue;
    if (value !== undefined) out[spec.name] = value;
  }
  return out;
}

/** A rejected migrate-set-parameters: QEMU's text. */
export class ParameterError extends HotmemError {
  constructor(message: string) {
    super('migration.parameter', message);
  }
}

/**
 * Checks `given` (the command's members, already of the right JSON kinds) and applies it; throws
 * a ParameterError and changes nothing when QEMU would refuse.
 */
export function setMigrationParameters(machine: Machine, given: ReadonlyMap<string, unknown>): void {
  const specs = migrationParameters(machine.release);
  const accepted = new Map<string, ParameterValue>();
  for (const spec of specs) {
    if (!given.has(spec.name)) continue;
    accepted.set(spec.name, acceptValue(machine, spec, given.get(spec.name)));
  }
  const current = (name: string) => migrationParameter(machine, name);
  const next = (name: string) => (accepted.has(name) ? accepted.get(name) : current(name));
  for (const check of migrationParameterChecks(machine.release)) {
    const problem = checkProblem(machine, check, check.readsCurrent ? current : next, next, given);
    if (problem) throw new ParameterError(problem);
  }
  const settings = migrationSettings(machine);
  for (const spec of specs) {
    const value = accepted.get(spec.name);
    if (value !== undefined && spec.appliedBySet) settings.parameters.set(spec.name, value);
  }
}

/** The QAPI input visitor's view of one member: its C type's range, enum members, null. */
function acceptValue(machine: Machine, spec: MigrationParameterSpec, value: unknown): ParameterValue {
  if (value === null) {
    if (spec.onNull === 'empty-string') return '';
    throw new ParameterError(
      `hotmem: QEMU ${releaseName(machine.release)} aborts on a null '${spec.name}' (an assertion failure upstream fixed in 8.2); hotmem refuses it instead`,
    );
  }
  if (spec.kind === 'integer' && typeof value === 'number') {
    // A negative number reaches an unsigned member as its 64-bit two's complement.
    const unsigned = spec.setType !== 'int' && value < 0 ? 2 ** 64 + value : value;
    if (spec.typeError && unsigned > spec.typeError.max) throw new ParameterError(spec.typeError.message);
    return unsigned;
  }
  if (spec.kind === 'enum') {
    const members = spec.values.filter((v) => v.if === undefined || BUILD_SWITCHES.has(v.if)).map((v) => v.name);
    if (!members.includes(value as string)) throw new ParameterError(enumValueMessage(machine.release, spec.name, value as string));
    return value as string;
  }
  if (spec.kind === 'array') {
    if ((value as readonly unknown[]).length > 0) {
      throw new ParameterError(`hotmem models no block devices: '${spec.name}' takes only an empty list`);
    }
    return [];
  }
  return value as ParameterValue;
}

function checkProblem(
  machine: Machine,
  check: ParameterCheck,
  read: (name: string) => ParameterValue | undefined,
  after: (name: string) => ParameterValue | undefined,
  given: ReadonlyMap<string, unknown>,
): string | undefined {
  if (check.if !== undefined && !BUILD_SWITCHES.has(check.if)) return undefined;
  const subject = check.parameters[0]!;
  const value = read(subject);
  switch (check.kind) {
    case 'range': {
      if (check.hostBits !== undefined && check.hostBits !== HOST_BITS) return undefined;
      if (typeof value !== 'number') return undefined;
      const min = check.minParameter !== undefined ? Number(after(check.minParameter)) : (check.min ?? 0);
      return value < min || (check.max !== undefined && value > check.max) ? check.message : undefined;
    }
    case 'power-of-two': {
      if (typeof value !== 'number') return undefined;
      const powerOfTwo = value > 0 && 2 ** Math.round(Math.log2(value)) === value;
      const tooBig = check.max !== undefined && value > check.max;
      return !powerOfTwo || value < (check.min ?? TARGET_PAGE_SIZE) || tooBig ? check.message : undefined;
    }
    case 'bitmap-alias-map':
      // Only an empty mapping gets this far (acceptValue), and an empty mapping is valid.
      return undefined;
    case 'capability-conflict': {
      if (!migrationSettings(machine).enabled.has(check.capability)) return undefined;
      return read('multifd-compression') !== 'none' || (read('tls-creds') ?? '') !== '' ? check.message : undefined;
    }
    case 'build-support':
      return given.get(subject) === true && !BUILD_SWITCHES.has(check.requires) ? check.message : undefined;
    default: {
      const exhaustive: never = check;
      return exhaustive;
    }
  }
}
