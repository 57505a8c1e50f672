/**
 * What QEMU checks of an -object option while parsing the command line (object_option_parse:
 * QemuOpts, then the QAPI ObjectOptions schema through the opts visitor): the type, the id, the
 * members and their value syntax. These errors carry the option's location; errors from setting
 * properties and completing the object come later, when the object is created, without one.
 */
import { HotmemError } from '../../core/errors.js';
import { parseScalar } from '../../core/parse/input-visitor.js';
import type { RegistryView } from '../../qom/registry.js';
import type { OptionProps } from '../../machine/machine.js';

export function checkObjectOption(view: RegistryView, type: string, id: string | undefined, props: OptionProps, seenIds: Set<string>): void {
  if (!view.exists(type) || !view.isA(type, 'user-creatable') || view.isAbstract(type)) {
    throw new HotmemError('cmdline.object-type', `Parameter 'qom-type' does not accept value '${type}'`);
  }
  if (id === undefined) throw new HotmemError('cmdline.object-id', "Parameter 'id' is missing");
  if (seenIds.has(id)) throw new HotmemError('cmdline.object-duplicate', `Duplicate ID '${id}' for object`);
  seenIds.add(id);
  const table = view.properties(type);
  for (const { name, value } of props) {
    const prop = table.get(name);
    if (!prop || prop.def.readOnly || prop.def.hiddenFromHelp || prop.def.type.kind === 'child') {
      throw new HotmemError('cmdline.object-member', `Invalid parameter '${name}'`);
    }
    if (prop.def.type.kind !== 'link') parseScalar(prop.def.type, name, value, 'opts', view.env.release);
  }
  for (const [name, prop] of table) {
    if (prop.def.mandatory && !props.some((p) => p.name === name)) {
      throw new HotmemError('cmdline.object-missing', `Parameter '${name}' is missing`);
    }
  }
}
