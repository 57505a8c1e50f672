/**
 * What QEMU checks of an -object option while parsing the command line (object_option_parse:
 * QemuOpts, then the QAPI ObjectOptions schema through the opts visitor): the type, the id, the
 * members and their value syntax. These errors carry the option's location; errors from setting
 * properties and completing the object come later, when the object is created, without one.
 * Before 6.0 there was no ObjectOptions schema: the opts visitor set each member on the new object
 * (an unknown one is the object's "Property 'T.p' not found", a missing one is whatever the object
 * then says), and creation errors kept the option's location (objectCreationLocated).
 */
import { HotmemError } from '../../core/errors.js';
import { enumValueMessage, parseScalar } from '../../core/parse/input-visitor.js';
import { isObjectMember } from '../../qom/property.js';
import type { RegistryView } from '../../qom/registry.js';
import type { OptionProps } from '../../machine/machine.js';
import { compareReleases, type Release } from '../../core/release.js';

export function checkObjectOption(view: RegistryView, type: string, id: string | undefined, props: OptionProps, seenIds: Set<string>): void {
  const schema = hasObjectSchema(view.env.release);
  if (schema && (!view.exists(type) || !view.isA(type, 'user-creatable') || view.isAbstract(type))) {
    throw new HotmemError('cmdline.object-type', enumValueMessage(view.env.release, 'qom-type', type));
  }
  if (id === undefined) throw new HotmemError('cmdline.object-id', "Parameter 'id' is missing");
  // user_creatable_add_type's own checks, once the id is there.
  if (!view.exists(type)) throw new HotmemError('cmdline.object-type', `invalid object type: ${type}`);
  if (view.isAbstract(type)) throw new HotmemError('cmdline.object-type', `object type '${type}' is abstract`);
  if (!view.isA(type, 'user-creatable')) throw new HotmemError('cmdline.object-type', `object type '${type}' isn't supported by object-add`);
  if (seenIds.has(id)) throw new HotmemError('cmdline.object-duplicate', `Duplicate ID '${id}' for object`);
  seenIds.add(id);
  const table = view.properties(type);
  for (const { name, value } of props) {
    const prop = table.get(name);
    if (!prop || !isObjectMember(prop.def, view.env.release)) {
      if (!schema) continue;
      throw new HotmemError('cmdline.object-member', `Invalid parameter '${name}'`);
    }
    if (prop.def.type.kind !== 'link' && prop.def.type.kind !== 'child') parseScalar(prop.def.type, name, value, 'opts', view.env.release);
    prop.def.optionSyntax?.(value);
  }
  if (!schema) return;
  for (const [name, prop] of table) {
    if (prop.def.mandatory && !props.some((p) => p.name === name)) {
      throw new HotmemError('cmdline.object-missing', `Parameter '${name}' is missing`);
    }
  }
}

/** -object is checked against QAPI's ObjectOptions from 6.0 on. */
export const hasObjectSchema = (r: Release): boolean => compareReleases(r, { major: 6, minor: 0 }) >= 0;

/** Before 6.0 an object's creation errors are reported at its -object option. */
export const objectCreationLocated = (r: Release): boolean => !hasObjectSchema(r);
