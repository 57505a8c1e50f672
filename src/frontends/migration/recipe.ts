/**
 * How one hotmem process can be rebuilt by another. Both processes of a migration model the
 * whole migration (the engine needs both machines), so each rebuilds its peer from the peer's
 * recipe: the binary it models, its command line, and every monitor command that changed it, in
 * order, with the migrations it took part in. The model is deterministic, so the replica is the
 * peer as it stands.
 */
import type { Arch } from '../../core/arch.js';
import { isArch } from '../../core/arch.js';
import type { Side } from '../../migration/workload.js';

/** What `hotmem qemu` was started with. */
export interface ProcessSpec {
  readonly qemuVersion: string;
  readonly arch: Arch;
  /** The host's architecture (`arch` unless the target runs under TCG on another one). */
  readonly hostArch: Arch;
  readonly hostKernel: string;
  /** The modelled Linux guest (`--guest`), if any. */
  readonly guest: string | undefined;
  readonly argv: readonly string[];
}

/** The engine options both sides of one migration use; the source decides them. */
export interface PeerMigrationOptions {
  readonly bandwidth: number;
  readonly maxBandwidth: number;
  readonly downtimeLimitMs: number;
  readonly postcopy: boolean;
  readonly returnPath: boolean;
}

export type HistoryEntry =
  /** A monitor command that ran (its JSON text as received). */
  | { readonly kind: 'qmp'; readonly text: string }
  /** A migration this process took part in, with the peer as it was then. */
  | { readonly kind: 'migration'; readonly role: Side; readonly peer: ProcessRecipe; readonly options: PeerMigrationOptions };

export interface ProcessRecipe {
  readonly spec: ProcessSpec;
  readonly history: readonly HistoryEntry[];
}

/** Checks a recipe received from a peer; returns what is wrong, or undefined. */
export function recipeProblem(value: unknown, at = 'recipe'): string | undefined {
  if (!isObject(value)) return `${at} is not an object`;
  const spec = value['spec'];
  if (!isObject(spec)) return `${at}.spec is not an object`;
  for (const k of ['qemuVersion', 'hostKernel'] as const) if (typeof spec[k] !== 'string') return `${at}.spec.${k} is not a string`;
  for (const k of ['arch', 'hostArch'] as const) if (typeof spec[k] !== 'string' || !isArch(spec[k])) return `${at}.spec.${k} is not x86_64 or s390x`;
  if (spec['guest'] !== undefined && typeof spec['guest'] !== 'string') return `${at}.spec.guest is not a string`;
  if (!Array.isArray(spec['argv']) || !spec['argv'].every((a) => typeof a === 'string')) return `${at}.spec.argv is not a list of strings`;
  const history = value['history'];
  if (!Array.isArray(history)) return `${at}.history is not a list`;
  for (const [i, entry] of history.entries()) {
    const where = `${at}.history[${i}]`;
    if (!isObject(entry)) return `${where} is not an object`;
    if (entry['kind'] === 'qmp') {
      if (typeof entry['text'] !== 'string') return `${where}.text is not a string`;
    } else if (entry['kind'] === 'migration') {
      if (entry['role'] !== 'source' && entry['role'] !== 'destination') return `${where}.role is not source or destination`;
      const problem = optionsProblem(entry['options'], `${where}.options`) ?? recipeProblem(entry['peer'], `${where}.peer`);
      if (problem) return problem;
    } else {
      return `${where}.kind is not qmp or migration`;
    }
  }
  return undefined;
}

export function optionsProblem(value: unknown, at = 'options'): string | undefined {
  if (!isObject(value)) return `${at} is not an object`;
  for (const k of ['bandwidth', 'maxBandwidth', 'downtimeLimitMs'] as const) {
    if (typeof value[k] !== 'number' || !(value[k] >= 0)) return `${at}.${k} is not a non-negative number`;
  }
  for (const k of ['postcopy', 'returnPath'] as const) if (typeof value[k] !== 'boolean') return `${at}.${k} is not a boolean`;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
