/**
 * The commands management layers probe a binary with (libvirt's capabilities probe):
 * query-commands, query-qmp-schema, qom-list-types, device-list-properties and
 * qom-list-properties, answered from
 * what the release's binary reported (compat/devices/, compat/qmp-schema/). A release read from
 * no binary refuses them, saying so, rather than answer with another release's data.
 */
import { releaseName } from '../../../core/release.js';
import type { Machine } from '../../../machine/machine.js';
import { isExactInteger, type DefaultValue } from '../../../qom/device-data/format.js';
import { deviceData, noDeviceTable, type DeviceData } from '../../../qom/device-data/load.js';
import { notListable } from '../../../qom/device-help.js';
import { qomListProperties } from '../../../qom/list-properties.js';
import { QmpError } from '../errors.js';
import { qmpSchemaData, type QmpSchemaData } from '../schema-data.js';
import type { QmpCommand } from '../session.js';

function devicesOf(machine: Machine): DeviceData {
  const data = deviceData(machine.model.env.release, machine.model.env.target);
  if (!data) throw new QmpError('GenericError', noDeviceTable(machine.model.env.release).message);
  return data;
}

function schemaOf(machine: Machine): QmpSchemaData {
  const { release, target } = machine.model.env;
  const data = qmpSchemaData(release, target);
  if (!data) throw new QmpError('GenericError', `hotmem has no QMP schema for release ${releaseName(release)}`);
  return data;
}

/** QMP carries 64-bit integers exactly: the stored digits become a bigint. */
const qmpDefault = (value: DefaultValue): unknown => (isExactInteger(value) ? BigInt(value.$int) : value);

export const PROBING_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-commands',
    args: [],
    run: (ctx) => schemaOf(ctx.machine).commands.map((name) => ({ name })),
  },
  {
    name: 'query-qmp-schema',
    args: [],
    run: (ctx) => schemaOf(ctx.machine).schema,
  },
  {
    name: 'qom-list-types',
    args: [
      { name: 'implements', type: 'str', optional: true },
      { name: 'abstract', type: 'bool', optional: true },
    ],
    run: (ctx, args) => {
      const data = devicesOf(ctx.machine);
      const implementsType = args['implements'] as string | undefined;
      const abstract = args['abstract'] === true;
      // Only the parent chain is recorded: an interface's implementers are not known.
      if (implementsType !== undefined && data.isA(implementsType, 'interface')) {
        throw new QmpError('GenericError', `hotmem has no interface table for release ${releaseName(ctx.machine.model.env.release)}`);
      }
      return data.data.types
        .filter(([name, , isAbstract]) => (abstract || !isAbstract) && (implementsType === undefined || data.isA(name, implementsType)))
        .map(([name, parent, isAbstract]) => ({ name, ...(isAbstract ? { abstract: true } : {}), ...(parent === null ? {} : { parent }) }));
    },
  },
  {
    name: 'device-list-properties',
    args: [{ name: 'typename', type: 'str' }],
    run: (ctx, args) => {
      const data = devicesOf(ctx.machine);
      const typename = args['typename'] as string;
      const row = data.type(typename);
      if (!row) throw new QmpError('DeviceNotFound', `Device '${typename}' not found`);
      const isDevice = data.isA(typename, 'device');
      if (!isDevice || row[2]) throw new QmpError('GenericError', notListable(ctx.machine.model.env.release, isDevice));
      const props = data.properties(typename)!;
      // QEMU exits when the module does not load; hotmem's monitor answers with its message.
      if (props.kind === 'unloadable') throw new QmpError('GenericError', props.message);
      return props.rows.map(([name, type, description, defaultValue]) => ({
        name,
        type,
        ...(description === undefined || description === null ? {} : { description }),
        ...(defaultValue === undefined ? {} : { 'default-value': qmpDefault(defaultValue) }),
      }));
    },
  },
  {
    name: 'qom-list-properties',
    args: [{ name: 'typename', type: 'str' }],
    run: (ctx, args) => {
      const answer = qomListProperties(ctx.machine.model, devicesOf(ctx.machine), args['typename'] as string);
      if (answer.kind === 'error') throw new QmpError(answer.errorClass, answer.message);
      return answer.properties.map(({ name, type, description, defaultValue }) => ({
        name,
        type,
        ...(description === undefined ? {} : { description }),
        ...(defaultValue === undefined ? {} : { 'default-value': qmpDefault(defaultValue) }),
      }));
    },
  },
];
