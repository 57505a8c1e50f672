/**
 * -blockdev's checks against each release's BlockdevOptions and the open of its nodes on an
 * emulated host's files; every message as real 5.2 and 10.0 print it (test/conformance/blockdev.test.ts
 * compares them with the four binaries).
 */
import assert from 'node:assert/strict';
import { BlockGraph, parseBlockdev } from '../../../src/frontends/cmdline/blockdev.js';
import { release } from '../../../src/core/release.js';
import type { Warning } from '../../../src/core/errors.js';
import { NO_FILES, type FileKind, type HostFiles } from '../../../src/host/files.js';

const QCOW2_V3 = new Uint8Array([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);

/** A host with these files (kind and first bytes). */
function files(entries: Readonly<Record<string, { type: FileKind; head?: Uint8Array }>>): HostFiles {
  return {
    read: (path) => NO_FILES.read(path),
    open: (path) => {
      const entry = entries[path];
      return entry ? { kind: 'opened', type: entry.type, head: entry.head ?? new Uint8Array() } : { kind: 'error', errno: 'ENOENT' };
    },
  };
}

const HOST = files({ '/img': { type: 'regular' }, '/dev/null': { type: 'char' }, '/dir': { type: 'directory' }, '/q': { type: 'regular', head: QCOW2_V3 } });

/** Parses and opens each argument in turn; the first failure's message, or 'opened' and the warnings. */
function run(v: string, args: readonly string[]): { readonly outcome: string; readonly warnings: readonly string[] } {
  const graph = new BlockGraph(HOST, release(v));
  const warnings: Warning[] = [];
  try {
    for (const arg of args) graph.open(parseBlockdev(arg, release(v), 'x86_64'), (w) => warnings.push(w));
  } catch (e) {
    return { outcome: (e as Error).message, warnings: warnings.map((w) => w.message) };
  }
  return { outcome: 'opened', warnings: warnings.map((w) => w.message) };
}

const CASES: ReadonlyArray<readonly [what: string, args: readonly string[], byRelease: Readonly<Record<string, string>>]> = [
  ['file on a regular file', ['driver=file,filename=/img,node-name=a'], { '5.2': 'opened', '10.0': 'opened' }],
  [
    'host_device on a char device, JSON',
    ['{"driver":"host_device","filename":"/dev/null","node-name":"d","read-only":false}'],
    { '5.2': 'opened', '10.0': 'opened' },
  ],
  ['raw over a node by name', ['driver=file,filename=/img,node-name=f', 'driver=raw,file=f,node-name=r'], { '10.0': 'opened' }],
  ['qcow2 of version 3', ['driver=qcow2,file.driver=file,file.filename=/q,node-name=q'], { '10.0': 'opened' }],
  ['a missing file', ['driver=file,filename=/nope,node-name=a'], { '10.0': "Could not open '/nope': No such file or directory" }],
  [
    'file on a char device',
    ['driver=file,filename=/dev/null,node-name=a'],
    { '5.2': 'opened', '10.0': "'file' driver requires '/dev/null' to be a regular file" },
  ],
  [
    'file on a directory',
    ['driver=file,filename=/dir,node-name=a'],
    { '5.2': "A regular file was expected by the 'file' driver, but something else was given", '10.0': "'file' driver requires '/dir' to be a regular file" },
  ],
  [
    'host_device on a regular file',
    ['driver=host_device,filename=/img,node-name=a'],
    {
      '5.2': "'host_device' driver expects either a character or block device",
      '10.0': "'host_device' driver requires '/img' to be either a character or block device",
    },
  ],
  ['qcow2 on a raw file', ['driver=qcow2,file.driver=file,file.filename=/img,node-name=q'], { '10.0': 'Image is not in qcow2 format' }],
  [
    'a missing node',
    ['driver=raw,file=nope,node-name=r'],
    { '5.2': 'Cannot find device=nope nor node_name=nope', '10.0': "Cannot find device='nope' nor node-name='nope'" },
  ],
  ['no node-name', ['driver=file,filename=/img'], { '10.0': "'node-name' must be specified for the root node" }],
  ['an ill-formed node-name', ['driver=file,filename=/img,node-name=9a'], { '5.2': 'Invalid node name', '10.0': "Invalid node-name: '9a'" }],
  [
    'a duplicate node-name',
    ['driver=file,filename=/img,node-name=a', 'driver=file,filename=/img,node-name=a'],
    { '5.2': 'Duplicate node name', '10.0': "Duplicate nodes with node-name='a'" },
  ],
  ['an unknown driver', ['driver=bogus'], { '5.2': "Invalid parameter 'bogus'", '10.0': "Parameter 'driver' does not accept value 'bogus'" }],
  ['no driver', ['foo=bar'], { '10.0': "Parameter 'driver' is missing" }],
  ['no filename', ['driver=file,node-name=a'], { '10.0': "Parameter 'filename' is missing" }],
  ["a nested file's driver missing", ['driver=raw,file.filename=/img,node-name=r'], { '10.0': "Parameter 'file.driver' is missing" }],
  ['an unexpected nested member', ['driver=raw,file.driver=file,file.filename=/img,file.foo=1,node-name=r'], { '10.0': "Parameter 'file.foo' is unexpected" }],
  ['read-only=maybe', ['driver=file,filename=/img,node-name=a,read-only=maybe'], { '10.0': "Parameter 'read-only' expects 'on' or 'off'" }],
  ['size=abc', ['driver=raw,file.driver=file,file.filename=/img,node-name=r,size=abc'], { '10.0': "Parameter 'size' expects integer" }],
  ['JSON: a number for a string', ['{"driver":"file","filename":1}'], { '10.0': "Invalid parameter type for 'filename', expected: string" }],
  [
    'JSON: a string for a bool',
    ['{"driver":"file","filename":"/img","read-only":"yes"}'],
    { '10.0': "Invalid parameter type for 'read-only', expected: boolean" },
  ],
  [
    'a driver hotmem does not open',
    ['driver=null-co,node-name=n'],
    { '10.0': "hotmem opens -blockdev drivers file, host_device, raw, qcow2 only (got 'null-co')" },
  ],
  ['help', ['help'], { '10.0': 'Help is not available for this option' }],
];

describe('frontends/cmdline/blockdev', () => {
  for (const [what, args, byRelease] of CASES) {
    for (const [v, outcome] of Object.entries(byRelease)) it(`${v}: ${what}`, () => assert.equal(run(v, args).outcome, outcome));
  }

  it("5.2 warns of a char device opened as 'file', before what follows", () =>
    assert.deepEqual(run('5.2', ['driver=qcow2,file.driver=file,file.filename=/dev/null,node-name=q']), {
      outcome: 'Image is not in qcow2 format',
      warnings: ["Opening a character device as a file using the 'file' driver is deprecated"],
    }));

  it('a node that fails leaves no name behind, not even its child’s', () => {
    const graph = new BlockGraph(HOST, release('10.0'));
    const open = (arg: string) => graph.open(parseBlockdev(arg, release('10.0'), 'x86_64'), () => undefined);
    assert.throws(() => open('driver=raw,file.driver=file,file.filename=/img,file.node-name=f,node-name=9'), { message: "Invalid node-name: '9'" });
    assert.equal(graph.has('f'), false);
    assert.throws(() => open('driver=raw,file=f,node-name=r'), { message: "Cannot find device='f' nor node-name='f'" });
  });

  it('refuses a release whose binary hotmem has no schema of', () =>
    assert.throws(() => parseBlockdev('driver=file,filename=/img,node-name=a', release('8.0'), 'x86_64'), {
      message: "hotmem checks -blockdev against the QAPI schema of a release's binary, and has none for 8.0",
    }));
});
