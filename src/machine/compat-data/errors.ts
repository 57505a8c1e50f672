/**
 * Errors of the compat data: asking for something the data does not model, or data that breaks
 * its schema or its own cross references (a bug in compat/, caught at load time).
 */
import { defineErrors } from '../../core/errors.js';

export const compatErrors = defineErrors({
  'compat.unknown-release': (a: { release: string; known: readonly string[] }) =>
    `QEMU ${a.release} is not a modelled release (modelled: ${a.known.join(', ')})`,
  'compat.unknown-machine-type': (a: { release: string; arch: string; machine: string }) =>
    `QEMU ${a.release} qemu-system-${a.arch} has no machine type '${a.machine}'`,
  'compat.unknown-build-feature': (a: { feature: string; arch: string; known: readonly string[] }) =>
    `'${a.feature}' is not a build feature of qemu-system-${a.arch} (known: ${a.known.join(', ')})`,
  'compat.invalid-data': (a: { file: string; problem: string }) => `compat data ${a.file}: ${a.problem}`,
});
