/** qom-list, qom-get and qom-set (qom/qom-qmp-cmds.c). */
import type { QomObject } from '../../../qom/object.js';
import type { Machine } from '../../../machine/machine.js';
import { QmpError } from '../errors.js';
import type { QmpCommand } from '../session.js';

/** object_resolve_path with no ambiguity report: ambiguous and missing both read "not found". */
function resolve(machine: Machine, path: string): QomObject {
  let obj: QomObject | undefined;
  try {
    obj = machine.model.resolvePath(path);
  } catch {
    obj = undefined;
  }
  if (!obj) throw new QmpError('DeviceNotFound', `Device '${path}' not found`);
  return obj;
}

export const QOM_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'qom-list',
    args: [{ name: 'path', type: 'str' }],
    run: (ctx, args) => ctx.machine.model.qomList(resolve(ctx.machine, args['path'] as string)),
  },
  {
    name: 'qom-get',
    args: [
      { name: 'path', type: 'str' },
      { name: 'property', type: 'str' },
    ],
    run: (ctx, args) => {
      const obj = resolve(ctx.machine, args['path'] as string);
      const name = args['property'] as string;
      const value = obj.get(name);
      const visit = ctx.machine.model.view.properties(obj.type).get(name)?.def.visit;
      return visit ? visit(value) : value;
    },
  },
  {
    name: 'qom-set',
    args: [
      { name: 'path', type: 'str' },
      { name: 'property', type: 'str' },
      { name: 'value', type: 'any' },
    ],
    run: (ctx, args) => {
      const obj = resolve(ctx.machine, args['path'] as string);
      ctx.machine.model.setProperty(obj, args['property'] as string, { source: 'json', json: args['value'] });
      return {};
    },
  },
];
