/** device_add, device_del, object-add and object-del (system/qdev-monitor.c, qom/qom-qmp-cmds.c). */
import { enumValueMessage } from '../../../core/parse/input-visitor.js';
import { compareReleases } from '../../../core/release.js';
import type { DeviceProps } from '../../../machine/machine.js';
import { isObjectMember } from '../../../qom/property.js';
import { hasObjectSchema } from '../../cmdline/object-option.js';
import { QmpError } from '../errors.js';
import { qdictOrder } from '../qobject.js';
import type { QmpArgs } from '../args.js';
import type { QmpCommand } from '../session.js';

/** qemu_opts_from_qdict: before 9.2, device_add turned JSON scalars into option text. */
function optionText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return undefined;
}

/** The members become properties in the QDict's order (object_set_properties_from_qdict). */
function deviceProps(args: QmpArgs, typed: boolean): DeviceProps {
  const props: Array<DeviceProps[number]> = [];
  for (const name of qdictOrder(Object.keys(args))) {
    const value = args[name];
    if (name === 'driver' || name === 'id' || name === 'bus') continue;
    if (typed) {
      props.push({ name, json: value });
      continue;
    }
    // QemuOpts silently drops members that are neither strings, numbers nor booleans.
    const text = optionText(value);
    if (text !== undefined) props.push({ name, value: text });
  }
  return props;
}

export const DEVICE_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'device_add',
    args: [
      { name: 'driver', type: 'str' },
      { name: 'bus', type: 'str', optional: true },
      { name: 'id', type: 'str', optional: true },
    ],
    rest: true,
    run: (ctx, args) => {
      const typed = compareReleases(ctx.machine.release, { major: 9, minor: 2 }) >= 0;
      ctx.machine.addDevice({
        kind: 'device',
        driver: args['driver'] as string,
        id: args['id'] as string | undefined,
        bus: args['bus'] as string | undefined,
        props: deviceProps(args, typed),
      });
      return {};
    },
  },
  {
    name: 'device_del',
    args: [{ name: 'id', type: 'str' }],
    run: (ctx, args) => {
      const id = args['id'] as string;
      if (!ctx.machine.model.container('/machine/peripheral').child(id) && !ctx.machine.model.resolvePath(id)) {
        throw new QmpError('DeviceNotFound', `Device '${id}' not found`);
      }
      ctx.machine.deleteDevice(id);
      return {};
    },
  },
  {
    name: 'object-add',
    args: [
      { name: 'qom-type', type: 'str' },
      { name: 'id', type: 'str' },
    ],
    rest: true,
    run: (ctx, args) => {
      const type = args['qom-type'] as string;
      const model = ctx.machine.model;
      // The QAPI schema knows every creatable type and its members: anything else is refused there.
      if (!model.view.exists(type) || !model.view.isA(type, 'user-creatable') || model.view.isAbstract(type)) {
        // Before 6.0 qom-type was a plain string, which user_creatable_add_type looked up.
        throw new QmpError(
          'GenericError',
          hasObjectSchema(ctx.machine.release) ? enumValueMessage(ctx.machine.release, 'qom-type', type) : `invalid object type: ${type}`,
        );
      }
      const props = model.propertiesOf(type);
      const members = Object.entries(args).filter(([name]) => name !== 'qom-type' && name !== 'id');
      // ObjectOptions' visitor (6.0+) reports a missing mandatory member as it reaches it, before
      // any unexpected one.
      if (hasObjectSchema(ctx.machine.release)) {
        const missing = [...props].find(([name, prop]) => prop.def.mandatory === true && isObjectMember(prop.def, ctx.machine.release) && !(name in args));
        if (missing) throw new QmpError('GenericError', `Parameter '${missing[0]}' is missing`);
      }
      for (const [name] of members) {
        const prop = props.get(name);
        if (!prop || !isObjectMember(prop.def, ctx.machine.release)) throw new QmpError('GenericError', `Parameter '${name}' is unexpected`);
      }
      model.addObject(
        type,
        args['id'] as string,
        members.map(([name, json]) => ({ name, input: { source: 'json', json } })),
      );
      return {};
    },
  },
  {
    name: 'object-del',
    args: [{ name: 'id', type: 'str' }],
    run: (ctx, args) => {
      // monitor_can_be_deleted (11.1): a monitor may not delete itself.
      if (ctx.monitorId !== undefined && args['id'] === ctx.monitorId && ctx.machine.model.resolvePath(`/objects/${ctx.monitorId}`))
        throw new QmpError('GenericError', 'Cannot delete the current QMP monitor');
      ctx.machine.model.deleteObject(args['id'] as string);
      return {};
    },
  },
];
