/** How reports write sizes and observation values. */
import { sizeText } from '../core/units.js';

export { sizeText };

/** An observation as reports show it: plugged sizes (bytes) in units, everything else as recorded. */
export function observationText(name: string, value: string | undefined): string {
  if (value === undefined) return '–';
  if (name.endsWith('.plugged') && /^\d+$/.test(value)) return sizeText(Number(value));
  return value;
}
