import assert from 'node:assert/strict';
import { HotmemError } from '../../../src/core/errors.js';
import { release, releaseName, inWindow } from '../../../src/core/release.js';
import { QEMU_OPTION_DATA, QEMU_OPTS_LIST_DATA } from '../../../src/frontends/cmdline/data/qemu-options.js';
import { parseQemuOpts, QEMU_OPTS_LIST_OF, qemuOption, servesTarget } from '../../../src/frontends/cmdline/option-syntax.js';

const MODELLED = ['5.1', '5.2', '6.0', '6.1', '6.2', '7.0', '7.1', '7.2', '8.0', '8.1', '8.2', '9.0', '9.1', '9.2', '10.0', '10.1', '10.2', '11.0', '11.1'].map(
  release,
);

describe('frontends/cmdline/option-syntax', () => {
  it('has, in every modelled release, the QemuOptsList of each option it parses with one', () => {
    for (const r of MODELLED) {
      for (const [option, list] of Object.entries(QEMU_OPTS_LIST_OF)) {
        if (!qemuOption(option, r)) continue;
        assert.ok(
          QEMU_OPTS_LIST_DATA.some((l) => l.name === list && inWindow(r, l)),
          `${releaseName(r)}: -${option} has no '${list}' list`,
        );
      }
    }
  });

  it('gives each option at most one entry per release', () => {
    for (const r of MODELLED) {
      const names = QEMU_OPTION_DATA.filter((o) => inWindow(r, o)).map((o) => o.name);
      assert.equal(new Set(names).size, names.length, releaseName(r));
    }
  });

  const OPTIONS: readonly { readonly release: string; readonly name: string; readonly known: boolean; readonly arg?: boolean; readonly s390x?: boolean }[] = [
    { release: '5.2', name: 'no-acpi', known: true, arg: false, s390x: false },
    { release: '10.0', name: 'no-acpi', known: false },
    { release: '7.2', name: 'audio-help', known: true, arg: false, s390x: true },
    { release: '10.0', name: 'audio-help', known: false },
    { release: '11.1', name: 'win2k-hack', known: true, arg: false, s390x: false },
    { release: '11.1', name: 'name', known: true, arg: true, s390x: true },
    { release: '11.1', name: 'async-teardown', known: false },
    { release: '5.2', name: 'frob', known: false },
  ];
  for (const o of OPTIONS) {
    it(`-${o.name} in ${o.release}: ${o.known ? `takes ${o.arg ? 'an' : 'no'} argument, ${o.s390x ? 'serves' : 'not for'} s390x` : 'unknown'}`, () => {
      const option = qemuOption(o.name, release(o.release));
      assert.equal(option !== undefined, o.known);
      if (!option) return;
      assert.equal(option.arg, o.arg);
      assert.equal(servesTarget(option, 's390x'), o.s390x);
      assert.equal(servesTarget(option, 'x86_64'), true);
    });
  }

  const PARSES: readonly { readonly release: string; readonly option: string; readonly text: string; readonly error?: string }[] = [
    { release: '7.2', option: 'name', text: 'guest=QEMUGuest1,debug-threads=on' },
    { release: '7.2', option: 'name', text: 'QEMUGuest1' },
    { release: '7.2', option: 'name', text: 'foo,bar=1', error: "Invalid parameter 'bar'" },
    { release: '7.2', option: 'name', text: 'a,debug-threads=maybe', error: "Parameter 'debug-threads' expects 'on' or 'off'" },
    { release: '5.2', option: 'smp', text: '2,sockets=x', error: "Parameter 'sockets' expects a number" },
    { release: '5.2', option: 'smp', text: '2,sockets=99999999999999999999', error: "Value '99999999999999999999' is too large for parameter 'sockets'" },
    { release: '5.2', option: 'smp', text: '2,clusters=1', error: "Invalid parameter 'clusters'" },
    { release: '7.2', option: 'chardev', text: 'socket,id=c0,path=/tmp/m.sock,server=on,wait=off' },
    {
      release: '7.2',
      option: 'chardev',
      text: 'null,id=0x',
      error: "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.",
    },
    { release: '7.2', option: 'chardev', text: 'null,id=c0,size=1x', error: "Parameter 'size' expects a non-negative number below 2^64" },
    { release: '10.0', option: 'chardev', text: 'socket,id=c0,reconnect-ms=10,path=/tmp/x' },
    { release: '7.2', option: 'chardev', text: 'socket,id=c0,reconnect-ms=10,path=/tmp/x', error: "Invalid parameter 'reconnect-ms'" },
    { release: '11.1', option: 'mon', text: 'chardev=charmonitor,id=monitor,mode=control' },
    { release: '11.1', option: 'msg', text: 'timestamp=on' },
  ];
  for (const p of PARSES) {
    it(`-${p.option} ${p.text} (${p.release}): ${p.error ?? 'parses'}`, () => {
      const parse = () => parseQemuOpts(p.option, p.text, release(p.release), new Set());
      if (p.error === undefined) {
        parse();
        return;
      }
      assert.throws(parse, (e: unknown) => e instanceof HotmemError && e.message.split('\nOptional suffix')[0] === p.error);
    });
  }

  it('refuses a second use of an id in the same list', () => {
    const seen = new Set<string>();
    parseQemuOpts('chardev', 'null,id=c0', release('7.2'), seen);
    assert.throws(() => parseQemuOpts('chardev', 'null,id=c0', release('7.2'), seen), /^HotmemError: Duplicate ID 'c0' for chardev$/);
  });
});
