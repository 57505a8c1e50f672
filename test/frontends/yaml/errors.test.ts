/**
 * Every kind of mistake a definition can hold, with the exact message and position users see,
 * and the report of several mistakes at once, in file order.
 */
import assert from 'node:assert/strict';
import { HotmemError } from '../../../src/core/errors.js';
import { DefinitionError, parseDefinition, type LoadOptions } from '../../../src/frontends/yaml/index.js';

const HOST = 'host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }\n';

/** A file system of definition texts, for migration destinations. */
const files = (texts: Readonly<Record<string, string>>): LoadOptions => ({
  readFile: (path) => {
    const text = texts[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  },
});

function failure(text: string, options: LoadOptions = files({})): DefinitionError {
  try {
    parseDefinition(text, 'vm.yaml', options);
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  assert.fail('the definition loaded');
}

describe('frontends/yaml: definition errors', () => {
  const CASES: ReadonlyArray<readonly [string, string, string]> = [
    // YAML syntax
    ['a duplicate key', HOST + 'host: {}\n', 'vm.yaml:2:1: invalid YAML: the key host appears twice in one map'],
    [
      'an unterminated flow map',
      HOST + 'machine: { type: q35\n',
      'vm.yaml:3:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }',
    ],
    ['a tab as indentation', HOST + 'machine:\n\ttype: q35\n', 'vm.yaml:3:1: invalid YAML: Tabs are not allowed as indentation'],
    ['two documents', HOST + '---\n' + HOST, 'vm.yaml:2:1: invalid YAML: a definition file holds one YAML document'],
    // YAML that is not JSON data
    ['a %YAML 1.1 document', '%YAML 1.1\n---\n' + HOST, 'vm.yaml:1:1: %YAML 1.1 is not read: definitions are YAML 1.2, where on, off, yes and no are text'],
    ['an alias inside its own anchor', HOST + 'steps: &s [ *s ]\n', 'vm.yaml:2:13: alias *s refers to a value that contains it'],
    ['an alias without anchor', HOST + 'devices: [ *nope ]\n', 'vm.yaml:2:12: alias *nope has no anchor &nope before it'],
    [
      'a timestamp',
      HOST + 'description: !!timestamp 2001-12-14\n',
      'vm.yaml:2:26: description: the tag !!timestamp gives a value that is not text, a number or true/false',
    ],
    ['an infinite number', HOST + 'machine: { memory: .inf }\n', 'vm.yaml:2:20: machine.memory: .inf is not a finite number'],
    [
      'a host PCI device not named as sysfs names it',
      'host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2", pci-devices: [ { address: "01:00.0" } ] }\n',
      'vm.yaml:1:81: host.pci-devices[0].address must be valid (must match pattern "^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]$"), not \'01:00.0\'',
    ],
    ['a list as a key', HOST + 'machine: { [a]: 1 }\n', 'vm.yaml:2:12: a key in machine is not plain text'],
    ['keys equal as text', HOST + 'machine:\n  properties: { 1: a, "1": b }\n', "vm.yaml:3:23: machine.properties has the key '1' twice"],
    // the document's shape
    ['an empty file', '', 'vm.yaml:1:1: the top level must be a map, not an empty value'],
    ['a scalar document', 'just text\n', "vm.yaml:1:1: the top level must be a map, not 'just text'"],
    ['no host', 'machine: { type: q35 }\n', "vm.yaml:1:1: missing key 'host' at the top level"],
    [
      'misspelt top-level keys',
      HOST + 'device: []\nbackends: []\n__proto__: {}\n',
      [
        "vm.yaml:2:1: unknown key 'device' at the top level; did you mean 'devices'?",
        "vm.yaml:3:1: unknown key 'backends' at the top level; did you mean 'objects'?",
        "vm.yaml:4:1: unknown key '__proto__' at the top level",
      ].join('\n'),
    ],
    [
      'host mistakes',
      'host: { arch: x86-64, qemu: 7.10 }\n',
      [
        "vm.yaml:1:7: missing key 'kernel' at host",
        "vm.yaml:1:15: host.arch must be one of x86_64, s390x, not 'x86-64'; did you mean 'x86_64'?",
        'vm.yaml:1:29: host.qemu must be a QEMU release in quotes, such as "7.2", not the number 7.10; write it in quotes: "7.10"',
      ].join('\n'),
    ],
    [
      'malformed names',
      'host: { arch: s390x, kernel: "6.1", qemu: "7.2.0" }\nguest: { kernel: linux-6.1 }\n',
      [
        "vm.yaml:1:30: host.kernel must be a host kernel name such as linux-6.1, not '6.1'",
        'vm.yaml:1:43: host.qemu must be a QEMU release in quotes, such as "7.2", not \'7.2.0\'',
        'vm.yaml:2:18: guest.kernel must be a Linux version in quotes, such as "6.1", not \'linux-6.1\'',
      ].join('\n'),
    ],
    [
      'an enum in the wrong case and a negative count',
      HOST + 'machine: { accel: KVM, slots: -1 }\n',
      [
        "vm.yaml:2:19: machine.accel must be one of kvm, tcg, not 'KVM'; did you mean 'kvm'?",
        'vm.yaml:2:31: machine.slots must be at least 0, not the number -1',
      ].join('\n'),
    ],
    [
      'sizes the schema refuses',
      HOST + 'machine: { memory: 4X, maxmem: 1.5 }\n',
      [
        "vm.yaml:2:20: machine.memory must be a size (bytes as a number, QEMU notation such as 1G or 1.5G, or libvirt units such as 4 GiB or 1GB), not '4X'",
        'vm.yaml:2:32: machine.maxmem must be a size (bytes as a number, QEMU notation such as 1G or 1.5G, or libvirt units such as 4 GiB or 1GB), not the number 1.5',
      ].join('\n'),
    ],
    [
      "sizes the release's parser and libvirt's rule refuse",
      'host: { arch: x86_64, kernel: linux-6.1, qemu: "8.0" }\nmachine: { memory: 0x1M, maxmem: 1.5 GiB }\n',
      [
        "vm.yaml:2:20: machine.memory: '0x1M' is not a size QEMU 8.0 accepts",
        "vm.yaml:2:34: machine.maxmem: '1.5 GiB' is not a whole number: libvirt units take whole numbers; use a smaller unit, or QEMU notation such as 1.5G",
      ].join('\n'),
    ],
    [
      'property values that are not scalars',
      HOST + 'devices:\n  - { driver: virtio-mem-pci, host-nodes: [0, 1], node: ~ }\n',
      [
        'vm.yaml:3:43: devices[0].host-nodes must be text, a number or true/false (write lists as QEMU text, e.g. "0-1"), not a list',
        'vm.yaml:3:57: devices[0].node must be text, a number or true/false (write lists as QEMU text, e.g. "0-1"), not an empty value',
      ].join('\n'),
    ],
    [
      'a property number past 2^53',
      HOST + 'devices:\n  - { driver: virtio-mem-pci, memaddr: 18446744073709551615 }\n',
      'vm.yaml:3:40: devices[0].memaddr must be at most 2^53 - 1, not the number 18446744073709551615; write it in quotes: "18446744073709551615"',
    ],
    [
      'misspelt required keys of open maps',
      HOST + 'devices:\n  - { drive: virtio-mem-pci, id: vm0 }\nobjects:\n  - { qom-type: memory-backend-ram, id: m0 }\n',
      [
        "vm.yaml:3:7: unknown key 'drive' at devices[0]; did you mean 'driver'?",
        "vm.yaml:5:7: unknown key 'qom-type' at objects[0]; did you mean 'type'?",
      ].join('\n'),
    ],
    ['a global map without value', HOST + 'globals:\n  - { driver: a, property: b }\n', "vm.yaml:3:5: missing key 'value' at globals[0]"],
    [
      '-global text QEMU refuses',
      HOST + 'globals:\n  - nodot\n  - driver=a,property=b\n  - virtio-mem.unplugged-inaccessible=on\n',
      ["vm.yaml:3:5: globals[0]: Invalid parameter 'dot'", "vm.yaml:4:5: globals[1]: options 'driver', 'property', and 'value' are required"].join('\n'),
    ],
    // steps
    [
      'malformed steps',
      HOST +
        'steps:\n  - {}\n  - { dump: {}, balloon: { target: 1G } }\n  - sett: { path: vm0 }\n  - guest: { read: { start: 0 } }\n  - expect: {}\n  - expect: { rss: {} }\n  - guest: { touch: { start: 0, size: 1G } }\n',
      [
        'vm.yaml:3:5: steps[0] must have exactly one key, one of set, balloon, guest, dump, storage-keys, migrate, object-add, device-add, device-del, expect; it has none',
        'vm.yaml:4:5: steps[1] must have exactly one key, one of set, balloon, guest, dump, storage-keys, migrate, object-add, device-add, device-del, expect; it has dump and balloon',
        "vm.yaml:5:5: unknown key 'sett' at steps[2]; did you mean 'set'?",
        "vm.yaml:6:20: missing key 'size' at steps[3].guest.read",
        'vm.yaml:7:13: steps[4].expect must have at least one of rss, rss-anon, rss-file, rss-shmem, hugetlb, page-tables, locked, host, property, event, error, warning, dmesg',
        'vm.yaml:8:20: steps[5].expect.rss must have at least one of below, at-most, equals, at-least, above',
        "vm.yaml:9:14: unknown key 'touch' at steps[6].guest; did you mean 'write'?",
      ].join('\n'),
    ],
    [
      'two guest actions in one step',
      HOST + 'steps:\n  - guest: { write: { start: 0, size: 1G }, read-all: {} }\n',
      'vm.yaml:3:12: steps[0].guest must have exactly one key, one of write, read, free, read-all, write-file, remove-file; it has write and read-all',
    ],
    [
      'malformed file steps',
      HOST + 'steps:\n  - guest: { write-file: lots }\n  - guest: { remove-file: true }\n  - guest: { write-files: 1G }\n',
      [
        "vm.yaml:3:26: steps[0].guest.write-file must be a size (bytes as a number, QEMU notation such as 1G or 1.5G, or libvirt units such as 4 GiB or 1GB), not 'lots'",
        'vm.yaml:4:27: steps[1].guest.remove-file must be a map, not true',
        "vm.yaml:5:14: unknown key 'write-files' at steps[2].guest; did you mean 'write-file'?",
      ].join('\n'),
    ],
    [
      'a file size that is not whole guest pages',
      HOST + 'steps:\n  - guest: { write-file: 1000 }\n  - guest: { write-file: 1.5K }\n',
      [
        "vm.yaml:3:26: steps[0].guest.write-file: '1000' is not a whole number of 4 KiB guest pages",
        "vm.yaml:4:26: steps[1].guest.write-file: '1.5K' is not a whole number of 4 KiB guest pages",
      ].join('\n'),
    ],
    [
      'storage keys on x86_64',
      HOST + 'steps:\n  - storage-keys: enable\n',
      'vm.yaml:3:19: steps[0]: storage keys exist on s390x only, and host.arch is x86_64',
    ],
    [
      'storage keys during a migration on x86_64',
      HOST + 'steps:\n  - migrate: { during: [ { at-ms: 5, do: { storage-keys: enable } } ] }\n',
      'vm.yaml:3:58: steps[0].migrate.during[0]: storage keys exist on s390x only, and host.arch is x86_64',
    ],
    [
      'two actions at one time during a migration',
      HOST + 'steps:\n  - migrate: { during: [ { at-ms: 5, do: { host-reclaim: source, storage-keys: enable } } ] }\n',
      'vm.yaml:3:42: steps[0].migrate.during[0].do must have exactly one key, one of write, read, storage-keys, cmma, host-reclaim; it has host-reclaim and storage-keys',
    ],
    [
      'an unreadable destination',
      HOST + 'steps:\n  - migrate: { to: nowhere.yaml }\n',
      "vm.yaml:3:20: steps[0].migrate.to: cannot read the destination 'nowhere.yaml': no such file",
    ],
    [
      'problems reported in file order, not schema order',
      'steps:\n  - ballon: {}\nhost: { arch: x86_64, kernel: linux-6.1, qemu: 7 }\n',
      [
        "vm.yaml:2:5: unknown key 'ballon' at steps[0]; did you mean 'balloon'?",
        'vm.yaml:3:48: host.qemu must be a QEMU release in quotes, such as "7.2", not the number 7; write it in quotes: "7"',
      ].join('\n'),
    ],
  ];
  for (const [what, text, message] of CASES) {
    it(what, () => {
      const e = failure(text);
      assert.equal(e.code, 'definition.invalid');
      assert.equal(e.message, message);
    });
  }

  it('names the first problem: file, line, column, pointer, key and suggestion', () => {
    const e = failure(HOST + 'devices:\n  - { driver: virtio-mem-pci }\nmachine: { memroy: 4G }\n');
    assert.deepEqual(
      { file: e.file, line: e.line, column: e.column, pointer: e.pointer, key: e.key, suggestion: e.suggestion },
      { file: 'vm.yaml', line: 4, column: 12, pointer: '/machine/memroy', key: 'memroy', suggestion: 'memory' },
    );
    assert.equal(e.problems.length, 1);
    assert.equal(e.problems[0]!.code, 'definition.unknown-key');
    assert.ok(e instanceof HotmemError);
  });

  it('points into the anchor for mistakes inside an alias, and at the alias for its value', () => {
    const e = failure(HOST + 'x: &dev { driver: virtio-mem-pci, frob: [1] }\ndevices: [ *dev ]\n');
    assert.equal(
      e.message,
      [
        "vm.yaml:2:1: unknown key 'x' at the top level",
        'vm.yaml:2:41: devices[0].frob must be text, a number or true/false (write lists as QEMU text, e.g. "0-1"), not a list',
      ].join('\n'),
    );
  });

  it('refuses an alias bomb without expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const e = failure(HOST + levels.join('\n') + '\n');
    assert.match(e.message, /^vm\.yaml:\d+:\d+: the document expands to more than 100000 values \(aliases included\)$/);
  });

  it('refuses nesting deeper than 64 levels', () => {
    const e = failure(HOST + 'description: ' + '['.repeat(70) + ']'.repeat(70) + '\n');
    assert.equal(e.message, `vm.yaml:2:78: description${'[0]'.repeat(64)} is nested more than 64 levels deep`);
  });

  describe('migration destinations', () => {
    const source = (to: string) => HOST + `steps:\n  - migrate: { to: ${to}, postcopy: true }\n`;

    it("reports a destination's problems against the destination file, after the source's", () => {
      const e = failure(source('dst.yaml') + 'guest: { kernel: 6.1 }\n', files({ 'dst.yaml': HOST + 'machine: { memroy: 1G }\n' }));
      assert.equal(
        e.message,
        'vm.yaml:4:18: guest.kernel must be a Linux version in quotes, such as "6.1", not the number 6.1; write it in quotes: "6.1"',
        'a source that fails the schema is not followed to its destination',
      );
      const both = failure(source('dst.yaml') + 'globals: [ nodot ]\n', files({ 'dst.yaml': HOST + 'machine: { memroy: 1G }\n' }));
      assert.equal(
        both.message,
        ["vm.yaml:4:12: globals[0]: Invalid parameter 'dot'", "dst.yaml:2:12: unknown key 'memroy' at machine; did you mean 'memory'?"].join('\n'),
      );
    });

    it('resolves the destination relative to the source and refuses a cycle', () => {
      const e = failure(source('b.yaml'), files({ 'b.yaml': HOST + 'steps:\n  - migrate: { to: vm.yaml }\n' }));
      assert.equal(e.message, 'b.yaml:3:20: steps[0].migrate.to: migration cycle vm.yaml → b.yaml → vm.yaml');
      const nested = (() => {
        try {
          return parseDefinition(source('../b/dst.yaml'), 'defs/a/src.yaml', files({ 'defs/b/dst.yaml': HOST }));
        } catch (err) {
          return err;
        }
      })();
      assert.ok(!(nested instanceof Error), String(nested));
    });
  });
});
