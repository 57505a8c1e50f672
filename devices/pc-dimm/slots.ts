/**
 * pc_dimm_get_free_slot: the DIMM slot a pc-dimm takes, out of the machine's `-m slots=N`. A
 * requested slot must be in range and free; otherwise the lowest free one is taken.
 */
import { pcDimmErrors } from './errors.js';

/** PC_DIMM_UNASSIGNED_SLOT: the slot property's default, "pick one". */
export const UNASSIGNED_SLOT = -1;

export function freeSlot(requested: number, slots: number, used: ReadonlySet<number>): number {
  if (slots <= 0) throw pcDimmErrors.error('pc-dimm.no-slots');
  if (requested !== UNASSIGNED_SLOT) {
    if (requested < 0 || requested >= slots) throw pcDimmErrors.error('pc-dimm.slot-invalid', { slot: requested, slots });
    if (used.has(requested)) throw pcDimmErrors.error('pc-dimm.slot-busy', { slot: requested });
    return requested;
  }
  for (let slot = 0; slot < slots; slot++) if (!used.has(slot)) return slot;
  throw pcDimmErrors.error('pc-dimm.no-free-slot');
}
