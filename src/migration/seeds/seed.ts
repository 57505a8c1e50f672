/**
 * A seed story as a runnable scenario: the configuration, and per variant (a host kernel era,
 * or the configuration choice the story turns on) the outcome the story documents.
 */
import type { Machine } from '../../machine/machine.js';
import type { HangCause, MigrationOutcome } from '../outcome.js';

/** What a variant must end in, per the story. */
export type ExpectedOutcome =
  { readonly kind: 'completed' } | { readonly kind: 'hung'; readonly cause: HangCause } | { readonly kind: 'failed'; readonly message: string };

export interface SeedVariant {
  readonly name: string;
  /** Why this variant behaves as it does (kernel commit, QEMU behaviour). */
  readonly because: string;
  readonly expected: ExpectedOutcome;
}

export interface SeedRun {
  readonly outcome: MigrationOutcome;
  readonly source: Machine;
  readonly destination: Machine;
}

export interface SeedScenario {
  readonly name: string;
  readonly story: string;
  readonly variants: readonly SeedVariant[];
  run(variant: string): SeedRun;
}

/** Looks a variant up, or says which exist. */
export function variantOf(seed: SeedScenario, name: string): SeedVariant {
  const v = seed.variants.find((x) => x.name === name);
  if (!v) throw new Error(`seed '${seed.name}' has no variant '${name}' (it has ${seed.variants.map((x) => x.name).join(', ')})`);
  return v;
}
