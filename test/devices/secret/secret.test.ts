import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { release } from '../../../src/core/release.js';
import { Host } from '../../../src/host/host.js';
import { NO_FILES, type FileRead, type HostFiles } from '../../../src/host/files.js';
import { HOST_PROCESS } from '../../../src/machine/host-process.js';
import { BASE_TYPES, ObjectModel, TypeRegistry, type PropertyInput } from '../../../src/qom/index.js';
import { SECRET_TYPES } from '../../../devices/secret/index.js';

const KEY = Buffer.alloc(32, 'k');
const IV = Buffer.alloc(16, 'i');
const encrypted = (plain: string, pad = true): string => {
  const cipher = createCipheriv('aes-256-cbc', KEY, IV).setAutoPadding(pad);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
};

/** A host whose files are these (a directory, null, reads as EISDIR, as g_file_get_contents finds it). */
type Files = Readonly<Record<string, string | Buffer | null>>;

function hostFiles(files: Files): HostFiles {
  return {
    read(path): FileRead {
      const content = files[path];
      if (content === undefined) return { kind: 'error', stage: 'open', errno: 'ENOENT' };
      if (content === null) return { kind: 'error', stage: 'read', errno: 'EISDIR' };
      return { kind: 'read', bytes: Buffer.from(content) };
    },
    open: (path, writable) => NO_FILES.open(path, writable),
  };
}

function model(rel: string, files: Files = {}) {
  const m = new ObjectModel(new TypeRegistry().register(...BASE_TYPES, ...SECRET_TYPES), { release: release(rel), target: 'x86_64' });
  m.services.set(HOST_PROCESS, new Host({ files: hostFiles(files) }).spawn({ name: 'qemu' }));
  return m;
}

const opts = (props: Record<string, string>) =>
  Object.entries(props).map(([name, text]): { name: string; input: PropertyInput } => ({ name, input: { source: 'text', text, visitor: 'opts' } }));

const FILES: Files = { '/key': KEY, '/dir': null, '/b64': 'YWJj\n', '/nul': 'YW\0Jj' };

describe('devices/secret', () => {
  // type, props, release -> QEMU's message, or undefined when the secret loads (5.2, 7.2, 10.0 and 11.1 as
  // those binaries answer; 7.1 from its source)
  const CASES: ReadonlyArray<readonly [string, Record<string, string>, string, string | undefined]> = [
    ['secret', { data: 'abc' }, '10.0', undefined],
    ['secret', { data: '' }, '10.0', undefined],
    ['secret', {}, '10.0', "Either 'file' or 'data' must be provided"],
    ['secret', { data: 'abc', file: '/key' }, '10.0', "'file' and 'data' are mutually exclusive"],
    ['secret', { file: '/none' }, '10.0', 'Unable to read /none: Failed to open file “/none”: No such file or directory'],
    ['secret', { file: '/dir' }, '10.0', 'Unable to read /dir: Error reading file “/dir”: Is a directory'],
    ['secret', { file: '/b64', format: 'base64' }, '10.0', undefined],
    ['secret', { file: '/nul', format: 'base64' }, '10.0', 'Base64 data contains embedded NUL characters'],
    ['secret', { data: 'a!c', format: 'base64' }, '10.0', 'Base64 data contains invalid characters'],
    ['secret', { data: 'abc', keyid: 'nokey' }, '10.0', "No secret with id 'nokey'"],
    ['secret', { data: 'abc', keyid: 's0' }, '10.0', "Secret with id 's0' has no data"],
    ['secret', { data: 'abc', keyid: 'short' }, '10.0', 'Key should be 32 bytes in length'],
    ['secret', { data: 'abc', keyid: 'k' }, '10.0', 'IV is required to decrypt secret'],
    ['secret', { data: 'abc', keyid: 'k', iv: 'YWJj' }, '10.0', 'IV should be 16 bytes in length not 3'],
    ['secret', { data: 'abc', keyid: 'k', iv: IV.toString('base64') }, '10.0', 'Length 3 must be a multiple of block size 16'],
    [
      'secret',
      { data: encrypted('0123456789abcdef', false), format: 'base64', keyid: 'k', iv: IV.toString('base64') },
      '10.0',
      'Incorrect number of padding bytes (102) found on decrypted data',
    ],
    ['secret', { data: encrypted('hello'), format: 'base64', keyid: 'k', iv: IV.toString('base64') }, '10.0', undefined],
    ['secret', { data: 'abc', loaded: 'off' }, '5.2', undefined],
    ['secret', { data: 'abc', loaded: 'on' }, '5.2', "Either 'file' or 'data' must be provided"],
    ['secret', { data: 'abc', loaded: 'off' }, '7.2', "Property 'secret.loaded' is not writable"],
    ['secret', { data: 'abc', loaded: 'off' }, '7.1', 'Insufficient permission to perform this operation'],
    ['secret_keyring', {}, '5.2', "'serial' parameter must be provided"],
    ['secret_keyring', { serial: '-2' }, '10.0', 'Unable to read serial key fffffffe: Required key not available'],
  ];
  for (const [type, props, rel, message] of CASES) {
    it(`${type} ${JSON.stringify(props)} on ${rel}: ${message ?? 'loads'}`, () => {
      const m = model(rel, FILES);
      m.addObject('secret', 'k', opts({ file: '/key' }));
      m.addObject('secret', 'short', opts({ data: 'abc' }));
      const add = () => m.addObject(type, 's0', opts(props));
      if (message === undefined) {
        const { object } = add();
        assert.equal(m.resolvePath('/objects/s0'), object);
      } else {
        assert.throws(add, { message });
        assert.equal(m.resolvePath('/objects/s0'), undefined, 'a secret that fails is not left under /objects');
      }
    });
  }

  it('reads loaded on as long as the property exists (to 9.1)', () => {
    const m = model('7.2');
    assert.equal(m.addObject('secret', 's0', opts({ data: 'abc' })).object.get('loaded'), true);
  });

  it('decrypts with the keyid: the plaintext is what another secret can use as its key', () => {
    const m = model('11.1', FILES);
    m.addObject('secret', 'k', opts({ file: '/key' }));
    m.addObject('secret', 'inner', opts({ data: encrypted(KEY.toString('latin1')), format: 'base64', keyid: 'k', iv: IV.toString('base64') }));
    // The decrypted 32 bytes serve as a key in turn: the next secret gets past the key-length check.
    assert.throws(() => m.addObject('secret', 's0', opts({ data: 'abc', keyid: 'inner' })), { message: 'IV is required to decrypt secret' });
  });

  it('reads no file on a host without files (a model built from YAML or the API)', () => {
    const m = new ObjectModel(new TypeRegistry().register(...BASE_TYPES, ...SECRET_TYPES), { release: release('10.0'), target: 'x86_64' });
    assert.throws(() => m.addObject('secret', 's0', opts({ file: '/etc/hostname' })), {
      message: 'Unable to read /etc/hostname: Failed to open file “/etc/hostname”: No such file or directory',
    });
  });
});
