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
}
