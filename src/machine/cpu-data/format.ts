/**
 * The shape of compat/cpus/ (written by scripts/cpu-data.ts from the real binaries): per release
 * and target, what realizing each CPU model prints under an accelerator, for the models that
 * print anything or stop start-up.
 */
import type { Arch } from '../../core/arch.js';

export interface CpuModelOutcome {
  /** Indexes into ReleaseCpus.lines, in the order the binary printed them. */
  readonly lines: readonly number[];
  /** Start-up ends here: the lines are the error and its hints. */
  readonly refused?: true;
}

export interface ReleaseCpus {
  readonly release: string;
  readonly arch: Arch;
  /** The binary's version line (`QEMU emulator version ...`), for the record. */
  readonly binary: string;
  readonly accel: 'tcg';
  /** Every distinct line printed, without the program-name prefix. */
  readonly lines: readonly string[];
  /** Models absent here print nothing and start. */
  readonly models: Readonly<Record<string, CpuModelOutcome>>;
  /** x86_64: the CPUID feature flags and what the accelerator does with them. */
  readonly features?: X86Features;
}

/**
 * The x86 feature flags of a release under TCG, read from the binary: `-cpu help`'s "Recognized
 * CPUID flags" (each a bool property of every CPU type), what each model turns on
 * (query-cpu-model-expansion), and what x86_cpu_expand_features and x86_cpu_filter_features do
 * with a flag asked for: its dependencies and conflicts, and TCG's warning when it cannot give it.
 */
export interface X86Features {
  /** The recognized flags, as `-cpu help` lists them (each the canonical property name). */
  readonly flags: readonly string[];
  /** Other bool properties that set a flag (`sse3` is `pni`, `sse4_1` is `sse4.1`). */
  readonly aliases: Readonly<Record<string, string>>;
  /** Distinct sets of flags a model turns on; models refer to them by index. */
  readonly sets: readonly (readonly string[])[];
  /** Each model that expands (not `host` under TCG): its index into sets. */
  readonly models: Readonly<Record<string, number>>;
  /**
   * The flags TCG cannot give, each with its descriptor (`CPUID.07H:EBX.avx512f [bit 16]`), in
   * the order x86_cpu_filter_features reports them (feature word, then bit).
   */
  readonly tcgUnsupported: readonly (readonly [flag: string, descriptor: string])[];
  /**
   * The flags dropped unless others are on (feature_dependencies), in the order their warnings
   * come, each with the flags it needs and its descriptor.
   */
  readonly dependencies: readonly (readonly [flag: string, needs: readonly string[], descriptor: string])[];
  /** Flags dropped when another is on too, with the line the binary prints for each. */
  readonly conflicts: readonly (readonly [flag: string, conflictsWith: readonly string[], line: string])[];
}
