/**
 * Options a real VM's command line carries that change nothing hotmem models (the guest's name
 * and UUID, its clock, boot order, seccomp sandbox, CPU topology, audio without a device): each
 * is checked as the release checks it, with QEMU's errors, and then has no effect. What would
 * matter and is not modelled is refused by name rather than ignored.
 */
import { HotmemError } from '../../core/errors.js';
import { optionValue, parseOptions, type ParsedOptions } from '../../core/parse/options.js';
import { parseBool, parseUint64 } from '../../core/parse/scalars.js';
import { isQemuUuid } from '../../core/parse/uuid.js';
import { compareReleases, inWindow, type Release } from '../../core/release.js';
import { parseJsonOption } from './json-option.js';
import { QEMU_OPTS_LIST_DATA } from './data/qemu-options.js';
import type { OptionProps } from '../../machine/machine.js';

/** -uuid: qemu_uuid_parse's format. */
export function checkUuid(text: string): void {
  if (!isQemuUuid(text)) {
    throw new HotmemError('cmdline.uuid', 'failed to parse UUID string: wrong format');
  }
}

/** configure_rtc: reported once options are parsed, so without a location. */
export function checkRtc(opts: ParsedOptions): HotmemError | undefined {
  const base = optionValue(opts, 'base');
  if (base !== undefined && base !== 'utc' && base !== 'localtime' && !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/.test(base)) {
    return new HotmemError('cmdline.rtc', "invalid datetime format\nvalid formats: '2006-06-17T16:01:21' or '2006-06-17'");
  }
  for (const [key, values] of [
    ['clock', ['host', 'rt', 'vm']],
    ['driftfix', ['slew', 'none']],
  ] as const) {
    const value = optionValue(opts, key);
    if (value !== undefined && !(values as readonly string[]).includes(value)) return new HotmemError('cmdline.rtc', `invalid option value '${value}'`);
  }
  return undefined;
}

/** parse_sandbox: each filter group takes allow or deny (elevateprivileges also children). */
export function checkSandbox(opts: ParsedOptions): void {
  for (const [key, values] of [
    ['obsolete', ['allow', 'deny']],
    ['elevateprivileges', ['allow', 'deny', 'children']],
    ['spawn', ['allow', 'deny']],
    ['resourcecontrol', ['allow', 'deny']],
  ] as const) {
    const value = optionValue(opts, key);
    if (value !== undefined && !(values as readonly string[]).includes(value)) throw new HotmemError('cmdline.sandbox', `invalid argument for ${key}`);
  }
}

/**
 * -smp and -boot became machine properties (keyval into SMPConfiguration and BootConfiguration,
 * checked once options are parsed, without a location); first seen in 7.2's binary. The members
 * are the keys of the release's old QemuOptsList.
 */
export const machinePropertyOptions = (r: Release): boolean => compareReleases(r, { major: 7, minor: 2 }) >= 0;

const propertyList = (option: 'smp' | 'boot', r: Release) =>
  QEMU_OPTS_LIST_DATA.find((l) => l.name === (option === 'smp' ? 'smp-opts' : 'boot-opts') && inWindow(r, l))!;

/**
 * -smp or -boot as the release's machine property: the members given (`cpus`, `sockets`, ...)
 * as keyval parses them, and the failure QEMU reports for them once options are parsed.
 */
export function checkMachinePropertyOption(
  option: 'smp' | 'boot',
  text: string,
  r: Release,
): { readonly members: OptionProps; readonly error: HotmemError | undefined } {
  const members = parseOptions(text, propertyList(option, r).implied).entries.map((e) => ({ name: e.key, value: e.value }));
  return { members, error: checkMachinePropertyMembers(option, members, r) };
}

/** The members of -smp/-boot (or -machine smp.X) checked against the release's structure. */
export function checkMachinePropertyMembers(option: 'smp' | 'boot', members: OptionProps, r: Release): HotmemError | undefined {
  const list = propertyList(option, r);
  for (const { name, value } of members) {
    const type = list.desc.find(([key]) => key === name)?.[1];
    if (type === undefined) return new HotmemError('cmdline.machine-option', `Parameter '${option}.${name}' is unexpected`);
    if (type === 'number' && !parseUint64(value).ok) return new HotmemError('cmdline.machine-option', `Parameter '${option}.${name}' expects integer`);
    if (type === 'bool' && !parseBool(value, r).ok) return new HotmemError('cmdline.machine-option', `Parameter '${option}.${name}' expects 'on' or 'off'`);
  }
  return undefined;
}

/**
 * -audiodev (keyval, or JSON as libvirt writes it): an id, and the driver
 * none, which plays nothing; hotmem refuses drivers that would reach a host sound system.
 * Returns the id, which a sound device's audiodev= names.
 */
export function checkAudiodev(text: string): string {
  let driver: unknown;
  let id: unknown;
  if (text.startsWith('{')) {
    const parsed = parseJsonOption(text);
    driver = parsed['driver'];
    id = parsed['id'];
  } else {
    const parsed = parseOptions(text, 'driver');
    driver = optionValue(parsed, 'driver');
    id = optionValue(parsed, 'id');
  }
  if (id === undefined) throw new HotmemError('cmdline.audiodev', "Parameter 'id' is missing");
  if (driver !== 'none') throw new HotmemError('cmdline.audiodev', `hotmem models the audiodev driver none only (got ${JSON.stringify(driver)})`);
  return typeof id === 'string' ? id : JSON.stringify(id);
}
