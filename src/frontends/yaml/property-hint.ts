/**
 * What hotmem adds to QEMU's `Property 'virtio-mem-pci.requestd-size' not found` when the
 * property came from a definition: where the file sets it and the type's nearest property name.
 * QEMU's text stays first and unchanged (expectations match it); the hint follows it.
 */
import type { HotmemError } from '../../core/errors.js';
import type { DeviceEntry, ObjectEntry } from './definition.js';
import { formatPosition, type SourcePosition } from './errors.js';
import { propertyNameHint } from './suggest.js';
import { unknownPropertyProblem } from './unknown-property.js';

/** A QOM type's property names. */
export type PropertyNames = (type: string) => Iterable<string>;

function missingProperty(error: HotmemError): { type: string; property: string } | undefined {
  return error.code === 'qom.property-not-found' ? (error.details as { type: string; property: string }) : undefined;
}

/** For an object or device of the definition (start-up, object-add, device-add steps). */
export function entryHint(error: HotmemError, entries: readonly (ObjectEntry | DeviceEntry)[], names: PropertyNames): string | undefined {
  const missing = missingProperty(error);
  if (!missing) return undefined;
  for (const entry of entries) {
    if (('driver' in entry ? entry.driver : entry.type) !== missing.type) continue;
    const problem = unknownPropertyProblem(entry, missing.property, names(missing.type));
    if (problem) return `(${formatPosition(problem)}: ${problem.message})`;
  }
  return undefined;
}

/** For a `set` step, which names one property of one object. */
export function setStepHint(error: HotmemError, position: SourcePosition, names: PropertyNames): string | undefined {
  const missing = missingProperty(error);
  if (!missing) return undefined;
  const hint = propertyNameHint(missing.property, names(missing.type));
  return `(${formatPosition(position)}${hint === undefined ? '' : `: ${hint}`})`;
}

/** QEMU's message, then the hint when there is one. */
export const withHint = (message: string, hint: string | undefined): string => (hint === undefined ? message : `${message} ${hint}`);
