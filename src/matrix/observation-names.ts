/**
 * The names cell observations go by, in results, reports and rules: one place, so a rule the
 * loader accepts names exactly what a cell records.
 */
import type { RecordSpec } from './spec.js';

/** The start-up outcome: `ok`, or QEMU's error message. */
export const START = 'start';
/** Start-up warnings, joined with `; `, or `none`. */
export const WARNINGS = 'warnings';
/** The guest kernel's errors (KERN_ERR lines and WARN_ONs), joined with `; `, or `none`. */
export const GUEST_ERRORS = 'guest.errors';
/** Why memory devices ended refused, short of or above their requested size (src/why), or `none`. */
export const GUEST_WHY = 'guest.why';

export const FEATURE_OBSERVATIONS = ['offered', 'negotiated', 'status'] as const;
const PLUGGED = '.plugged';

export const featureObservation = (device: string, which: (typeof FEATURE_OBSERVATIONS)[number]): string => `${device}.${which}`;
export const pluggedObservation = (device: string): string => `${device}${PLUGGED}`;

/** The observation names a matrix records, for checking rules; `ID.plugged` stands for any device's. */
function observationNames(record: RecordSpec, steps: readonly string[]): string[] {
  return [
    START,
    WARNINGS,
    ...record.properties.map((p) => p.name),
    ...record.features.flatMap((d) => FEATURE_OBSERVATIONS.map((w) => featureObservation(d, w))),
    ...(record.guest ? [GUEST_ERRORS, GUEST_WHY, pluggedObservation('ID')] : []),
    ...steps,
  ];
}

/** Whether a rule may name `name`: a recorded name, or a memory device's plugged size when the guest is recorded. */
export function isObservationName(name: string, record: RecordSpec, steps: readonly string[]): boolean {
  if (record.guest && name.endsWith(PLUGGED) && name.length > PLUGGED.length) return true;
  return observationNames(record, steps).includes(name);
}
