/**
 * `hotmem migrate-check`: whether a migration from one machine to another would be refused, found
 * by running the destination's checks — the postcopy probe, the RAM block list, every device
 * section's load checks — on the source's current state, without sending a page or changing
 * either machine's state. It cannot foresee what the guest does during the migration; for
 * postcopy it names the kernel behaviours that would hang it if the guest triggers them.
 */
import { HotmemError } from '../core/errors.js';
import { strerror } from '../host/errno.js';
import type { Machine } from '../machine/machine.js';
import {
  loadFailure,
  loadSections,
  ramLoadFailure,
  registeredSections,
  saveSections,
  savesEarlySetupFirst,
  type LoadFailure,
  type Section,
} from './device-state.js';
import { migrationErrors } from './errors.js';
import type { FailureReason } from './outcome.js';
import { matchBlocks, matchFirmwareBlocks, migratableBlocks } from './ram-blocks.js';
import { s390SkeysSection } from './s390-skeys.js';

export type MigrationPrediction =
  | { readonly kind: 'compatible'; readonly risks: readonly string[] }
  | {
      readonly kind: 'incompatible';
      /**
       * When the destination would refuse: in the setup phase (before any page), at the postcopy
       * switchover (the source already stopped), or with the precopy's final device state.
       */
      readonly phase: 'setup' | 'switchover' | 'completion';
      readonly reason: FailureReason;
      readonly message: string;
      readonly log: readonly string[];
      readonly explanation: string | undefined;
    };

function sections(machine: Machine): Section[] {
  const skeys = s390SkeysSection(machine, () => migratableBlocks(machine));
  return registeredSections(machine, skeys ? [skeys] : []);
}

/**
 * postcopy_ram_supported_by_host (checked when postcopy is advised, in setup) and a trial of
 * ram_block_enable_notify (run at the switchover), undone at once.
 */
function probePostcopy(dst: Machine): { readonly phase: 'setup' | 'switchover'; readonly failure: LoadFailure } | undefined {
  const process = dst.process;
  const out = process.userfaultfd();
  if (out.kind === 'error') {
    return {
      phase: 'setup',
      failure: loadFailure(migrationErrors.error('migration.postcopy-no-userfaultfd', { error: strerror(out.errno) }), undefined, false),
    };
  }
  try {
    const basePage = process.host.arch.basePageSize;
    const blocks = migratableBlocks(dst);
    if (blocks.some((b) => b.pageSize !== basePage) && !process.host.kernel.uffdFeatures.has('missing-hugetlbfs')) {
      return { phase: 'setup', failure: loadFailure(migrationErrors.error('migration.postcopy-hugepages'), undefined, false) };
    }
    for (const b of blocks) {
      const reg = out.uffd.register(b.mapping);
      if (reg.kind === 'error') {
        const e = migrationErrors.error('migration.postcopy-register', { error: strerror(reg.errno) });
        return { phase: 'switchover', failure: loadFailure(e, undefined, false, ['ram_block_enable_notify failed']) };
      }
    }
    return undefined;
  } finally {
    out.uffd.close();
  }
}

/** Kernel behaviours of the destination that hang a postcopy if the guest triggers them. */
function postcopyRisks(src: Machine, dst: Machine): string[] {
  const risks: string[] = [];
  const p = dst.process;
  const k = p.host.kernel;
  if (!p.pgste) return risks;
  if (k.s390Zeropage === 'skeys-zap' && !src.process.storageKeysEnabled) {
    risks.push(
      `${k.name}: if the guest enables storage keys during postcopy, zeropages placed by UFFDIO_ZEROPAGE are zapped and the next access hangs (fixed by fa41ba0d, 4.14)`,
    );
  }
  if (k.cmmaDiscardWhileUffdArmed) {
    risks.push(
      `${k.name}: reclaim under memory pressure drops CMMA-unused pages postcopy placed; the guest hangs when it reuses one (fixed by bce73e48, 4.18)`,
    );
  }
  return risks;
}

export function checkMigration(src: Machine, dst: Machine, options: { readonly postcopy?: boolean } = {}): MigrationPrediction {
  const postcopy = options.postcopy ?? false;
  const refuse = (phase: 'setup' | 'switchover' | 'completion', reason: FailureReason, f: LoadFailure): MigrationPrediction => {
    const explanation = f.details.explanation;
    return { kind: 'incompatible', phase, reason, message: f.message, log: f.log, explanation: typeof explanation === 'string' ? explanation : undefined };
  };
  // The destination takes the stream in this order: advise, block list and early sections (in
  // the source release's order), then (postcopy) listen and the device state at the switchover,
  // or the device state at completion.
  const probe = postcopy ? probePostcopy(dst) : undefined;
  if (probe?.phase === 'setup') return refuse('setup', 'postcopy-unsupported', probe.failure);
  const all = sections(src);
  const local = sections(dst);
  const loadEarly = () =>
    loadSections(saveSections(all.filter((s) => s.earlySetup)), local, { postcopy: postcopy ? 'advised' : 'none', release: dst.release }, false);
  const earlyFirst = savesEarlySetupFirst(src.release);
  const first = earlyFirst ? loadEarly() : undefined;
  if (first?.kind === 'failed') return refuse('setup', 'device-state', first.failure);
  try {
    matchBlocks(migratableBlocks(src), migratableBlocks(dst), postcopy, dst.process.host.arch.basePageSize);
    matchFirmwareBlocks(src.firmwareBlocks(), dst.firmwareBlocks());
  } catch (e) {
    if (!(e instanceof HotmemError)) throw e;
    return refuse('setup', 'ram-block-list', ramLoadFailure(e, dst.release));
  }
  const early = earlyFirst ? undefined : loadEarly();
  if (early?.kind === 'failed') return refuse('setup', 'device-state', early.failure);
  if (probe) return refuse('switchover', 'postcopy-unsupported', probe.failure);
  const late = loadSections(saveSections(all.filter((s) => !s.earlySetup)), local, { postcopy: postcopy ? 'active' : 'none', release: dst.release }, false);
  if (late.kind === 'failed') return refuse(postcopy ? 'switchover' : 'completion', 'device-state', late.failure);
  return { kind: 'compatible', risks: postcopy ? postcopyRisks(src, dst) : [] };
}
