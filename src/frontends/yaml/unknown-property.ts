/**
 * Property names of objects and devices are open in the schema: each QOM type has its own table,
 * and the object model checks them when the machine starts, with QEMU's
 * `Property 'virtio-mem-pci.frob' not found`. This turns that refusal back into a positioned
 * definition problem with a suggestion, for whoever starts the machine from a definition.
 */
import type { DeviceEntry, ObjectEntry } from './definition.js';
import { problem, type DefinitionProblem } from './errors.js';
import { suggest } from './suggest.js';

/**
 * The problem for property `name` of `entry`, which the type does not have, at the key in the
 * file; `validNames` are the type's property names. Undefined when the entry does not set
 * `name` (the property came from elsewhere, e.g. a -global).
 */
export function unknownPropertyProblem(entry: ObjectEntry | DeviceEntry, name: string, validNames: Iterable<string>): DefinitionProblem | undefined {
  const prop = entry.props.find((p) => p.name === name);
  if (prop === undefined) return undefined;
  const suggestion = suggest(name, validNames);
  return problem(
    'definition.unknown-key',
    { key: name, at: entry.path, ...(suggestion === undefined ? {} : { suggestion }) },
    { position: prop.position, pointer: prop.pointer, key: name },
  );
}
