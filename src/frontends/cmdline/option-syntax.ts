/**
 * What a release's qemu-system-<arch> knows of its options (data/qemu-options.ts, read from the
 * binaries) and QEMU's QemuOpts parser for the options vl.c parses with a QemuOptsList: the
 * implied key, the keys the list declares and their value syntax, and the id rules.
 */
import { HotmemError } from '../../core/errors.js';
import type { Arch } from '../../core/arch.js';
import { parseOptions, type ParsedOptions } from '../../core/parse/options.js';
import { parseScalar } from '../../core/parse/input-visitor.js';
import { parseUint64 } from '../../core/parse/scalars.js';
import { inWindow, type Release } from '../../core/release.js';
import { QEMU_OPTION_DATA, QEMU_OPTS_LIST_DATA, type QemuOptionData, type QemuOptsListData } from './data/qemu-options.js';

/** The QemuOptsList vl.c parses each of these options with (qemu_find_opts). */
export const QEMU_OPTS_LIST_OF: Readonly<Record<string, string>> = {
  name: 'name',
  rtc: 'rtc',
  boot: 'boot-opts',
  sandbox: 'sandbox',
  msg: 'msg',
  overcommit: 'overcommit',
  realtime: 'realtime',
  chardev: 'chardev',
  mon: 'mon',
  smp: 'smp-opts',
  action: 'action',
  icount: 'icount',
};

/** The option `name` as the release's binary for `arch` has it, or undefined when it has none. */
export function qemuOption(name: string, r: Release): QemuOptionData | undefined {
  return QEMU_OPTION_DATA.find((o) => o.name === name && inWindow(r, o));
}

/** lookup_opt's answer for an option the binary has but whose arch_mask leaves `arch` out. */
export const servesTarget = (option: QemuOptionData, arch: Arch): boolean => option.targets.includes(arch);

function optsList(name: string, r: Release): QemuOptsListData {
  const list = QEMU_OPTS_LIST_DATA.find((l) => l.name === name && inWindow(r, l));
  if (!list) throw new Error(`internal: no QemuOptsList '${name}' in this release's data`);
  return list;
}

/** A QemuOpts id: a letter, then letters, digits, '-', '.', '_' (id_wellformed). */
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9\-._]*$/;

/**
 * qemu_opts_parse for option `option`: the keys and values as written, checked against the
 * list's desc as qemu_opt_parse checks them (an empty desc takes any key). `seenIds` holds the
 * ids of the list's earlier options, for "Duplicate ID".
 */
export function parseQemuOpts(option: string, text: string, r: Release, seenIds: Set<string>): ParsedOptions {
  const list = optsList(QEMU_OPTS_LIST_OF[option]!, r);
  const parsed = parseOptions(text, list.implied);
  for (const { key, value } of parsed.entries) {
    if (key === 'id') continue;
    const type = list.desc.find(([name]) => name === key)?.[1];
    if (type === undefined) {
      if (list.desc.length === 0) continue;
      throw new HotmemError('cmdline.opts-parameter', `Invalid parameter '${key}'`, { key });
    }
    checkValue(key, value, type, r);
  }
  const id = parsed.entries.filter((e) => e.key === 'id').at(-1)?.value;
  if (id !== undefined) {
    if (!ID_PATTERN.test(id)) {
      throw new HotmemError(
        'cmdline.opts-id',
        "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.",
        { id },
      );
    }
    if (seenIds.has(id)) throw new HotmemError('cmdline.opts-duplicate', `Duplicate ID '${id}' for ${list.name}`, { id });
    seenIds.add(id);
  }
  return parsed;
}

function checkValue(key: string, value: string, type: QemuOptsListData['desc'][number][1], r: Release): void {
  switch (type) {
    case 'string':
      return;
    case 'bool':
      parseScalar({ kind: 'bool' }, key, value, 'opts', r);
      return;
    case 'number': {
      // parse_option_number: qemu_strtou64 with base 0.
      const parsed = parseUint64(value);
      if (parsed.ok) return;
      if (parsed.errno === 'ERANGE') throw new HotmemError('cmdline.opts-value', `Value '${value}' is too large for parameter '${key}'`, { key });
      throw new HotmemError('cmdline.opts-value', `Parameter '${key}' expects a number`, { key });
    }
    case 'size':
      // parse_option_size words its errors as the string input visitor does.
      parseScalar({ kind: 'size' }, key, value, 'string', r);
      return;
    default: {
      const exhaustive: never = type;
      return exhaustive;
    }
  }
}
