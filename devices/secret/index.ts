/**
 * The secret objects (crypto/secret_common.c, secret.c, secret_keyring.c): libvirt passes its
 * master key as `-object secret,file=...` on every start. Nothing in hotmem uses a secret's data;
 * what is modelled is what makes QEMU refuse one: data and file, the file read from the host, the
 * base64 format, a keyid's AES-256-CBC decryption, and the keyring (the emulated host's is empty).
 */
import { defineErrors } from '../../src/core/errors.js';
import { cryptoModule } from '../../src/core/on-demand.js';
import { key } from '../../src/core/keys.js';
import { strerror, type Errno } from '../../src/host/errno.js';
import { NO_FILES } from '../../src/host/files.js';
import { HOST_PROCESS } from '../../src/machine/host-process.js';
import type { QomObject } from '../../src/qom/object.js';
import type { PropertyDef } from '../../src/qom/property.js';
import type { TypeInfo } from '../../src/qom/type-info.js';

export const secretErrors = defineErrors({
  'secret.data-and-file': () => "'file' and 'data' are mutually exclusive",
  'secret.no-input': () => "Either 'file' or 'data' must be provided",
  // g_file_get_contents' own message after QEMU's.
  'secret.file': (a: { path: string; stage: 'open' | 'read'; errno: Errno }) =>
    `Unable to read ${a.path}: ${a.stage === 'open' ? 'Failed to open' : 'Error reading'} file “${a.path}”: ${strerror(a.errno)}`,
  'secret.base64-nul': () => 'Base64 data contains embedded NUL characters',
  'secret.base64-chars': () => 'Base64 data contains invalid characters',
  'secret.key-not-found': (a: { id: string }) => `No secret with id '${a.id}'`,
  'secret.key-not-secret': (a: { id: string }) => `Object with id '${a.id}' is not a secret`,
  'secret.key-no-data': (a: { id: string }) => `Secret with id '${a.id}' has no data`,
  'secret.key-length': () => 'Key should be 32 bytes in length',
  'secret.iv-missing': () => 'IV is required to decrypt secret',
  'secret.iv-length': (a: { length: number }) => `IV should be 16 bytes in length not ${a.length}`,
  'secret.block-size': (a: { length: number }) => `Length ${a.length} must be a multiple of block size 16`,
  'secret.padding': (a: { pad: number }) => `Incorrect number of padding bytes (${a.pad}) found on decrypted data`,
  'secret.serial-missing': () => "'serial' parameter must be provided",
  'secret.keyring': (a: { serial: number }) => `Unable to read serial key ${(a.serial >>> 0).toString(16).padStart(8, '0')}: ${strerror('ENOKEY')}`,
});

/** The loaded secret (QCryptoSecretCommon.rawdata): what another secret's keyid decrypts with. */
const RAW_DATA = key<Uint8Array>('secret data');

const BASE64_CHARS = /^[A-Za-z0-9+/=\n]*$/;

/** qbase64_decode of input with its length known: no NULs, only base64 characters (and newlines). */
function base64Decode(input: Uint8Array): Uint8Array {
  const text = Buffer.from(input).toString('latin1');
  if (text.includes('\0')) throw secretErrors.error('secret.base64-nul');
  if (!BASE64_CHARS.test(text)) throw secretErrors.error('secret.base64-chars');
  return Buffer.from(text, 'base64');
}

const str = (name: string): PropertyDef => ({ name, type: { kind: 'str' }, typeName: 'string', origin: 'custom' });

/** The raw bytes of `data` or `file` (secret.c's load_data). */
function loadSecretInput(secret: QomObject): Uint8Array {
  const data = secret.stored('data') as string | undefined;
  const path = secret.stored('file') as string | undefined;
  if (path !== undefined) {
    if (data !== undefined) throw secretErrors.error('secret.data-and-file');
    const files = secret.model.services.get(HOST_PROCESS)?.host.files ?? NO_FILES;
    const read = files.read(path);
    if (read.kind === 'error') throw secretErrors.error('secret.file', { path, stage: read.stage, errno: read.errno });
    return read.bytes;
  }
  if (data !== undefined) return Buffer.from(data, 'utf8');
  throw secretErrors.error('secret.no-input');
}

/** secret_keyring.c's load_data: keyctl_read on a host whose keyring holds no keys. */
function loadKeyringInput(secret: QomObject): Uint8Array {
  const serial = secret.get('serial') as number;
  if (serial === 0) throw secretErrors.error('secret.serial-missing');
  throw secretErrors.error('secret.keyring', { serial });
}

/** qcrypto_secret_lookup: the loaded data of the secret filed under /objects/<id>. */
function lookup(secret: QomObject, id: string): Uint8Array {
  const found = secret.model.resolvePath(`/objects/${id}`);
  if (!found) throw secretErrors.error('secret.key-not-found', { id });
  if (!secret.model.view.isA(found.type, 'secret_common')) throw secretErrors.error('secret.key-not-secret', { id });
  const raw = found.slots.get(RAW_DATA);
  if (!raw) throw secretErrors.error('secret.key-no-data', { id });
  return raw;
}

/** qcrypto_secret_decrypt: AES-256-CBC with the keyid's 32 bytes and a 16-byte IV, QEMU's padding check. */
function decrypt(secret: QomObject, keyid: string, input: Uint8Array): Uint8Array {
  const keyBytes = lookup(secret, keyid);
  if (keyBytes.length !== 32) throw secretErrors.error('secret.key-length');
  const ivText = secret.stored('iv') as string | undefined;
  if (ivText === undefined) throw secretErrors.error('secret.iv-missing');
  const iv = base64Decode(Buffer.from(ivText, 'latin1'));
  if (iv.length !== 16) throw secretErrors.error('secret.iv-length', { length: iv.length });
  const ciphertext = secret.get('format') === 'base64' ? base64Decode(input) : input;
  if (ciphertext.length % 16 !== 0) throw secretErrors.error('secret.block-size', { length: ciphertext.length });
  const decipher = cryptoModule().createDecipheriv('aes-256-cbc', keyBytes, iv).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const pad = plain.at(-1) ?? 0;
  if (pad > 16 || pad > plain.length) throw secretErrors.error('secret.padding', { pad });
  return plain.subarray(0, plain.length - pad);
}

/** qcrypto_secret_complete: load, then decrypt (keyid) or decode (base64). */
function complete(secret: QomObject, load: (secret: QomObject) => Uint8Array): void {
  const input = load(secret);
  const keyid = secret.stored('keyid') as string | undefined;
  const raw = keyid !== undefined ? decrypt(secret, keyid, input) : secret.get('format') === 'base64' ? base64Decode(input) : input;
  secret.slots.set(RAW_DATA, raw);
}

export const SECRET_TYPES: readonly TypeInfo[] = [
  {
    name: 'secret_common',
    parent: 'object',
    abstract: true,
    interfaces: ['user-creatable'],
    properties: [
      {
        // Setting loaded=on loaded the secret at once, and QEMU set it before data, file and the
        // rest (the QAPI member order; 5.2's QemuOpts order too): it could only fail. The setter
        // went in 7.1; the property, and with it the -object/object-add member, in 9.2.
        name: 'loaded',
        type: { kind: 'bool' },
        origin: 'custom',
        until: '7.1',
        get: (obj) => obj.slots.get(RAW_DATA) !== undefined,
        set: (_obj, value) => {
          if (value === true) throw secretErrors.error('secret.no-input');
          return { stored: true };
        },
      },
      {
        name: 'loaded',
        type: { kind: 'bool' },
        origin: 'custom',
        since: '7.1',
        until: '9.2',
        readOnly: true,
        schemaMember: {},
        get: (obj) => obj.slots.get(RAW_DATA) !== undefined,
      },
      { name: 'format', type: { kind: 'enum', typeName: 'QCryptoSecretFormat', values: ['raw', 'base64'] }, origin: 'custom', default: 'raw' },
      str('keyid'),
      str('iv'),
    ],
  },
  {
    name: 'secret',
    parent: 'secret_common',
    properties: [str('data'), str('file')],
    realize: (obj) => complete(obj, loadSecretInput),
  },
  {
    name: 'secret_keyring',
    parent: 'secret_common',
    properties: [{ name: 'serial', type: { kind: 'int32' }, typeName: 'int32_t', origin: 'custom', default: 0, mandatory: true }],
    realize: (obj) => complete(obj, loadKeyringInput),
  },
];
