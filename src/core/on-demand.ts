/**
 * The YAML parser, the JSON-schema validator and Node's crypto module, loaded when first used.
 * Only the commands that read YAML or check a schema need the first two (`hotmem qemu` reads the
 * build's precompiled compat data), only a secret object with a keyid decrypts, and evaluating
 * them was a large share of a short command's start-up. They load through Node's require, so a
 * bundle leaves them in node_modules (or Node) instead of evaluating them at start.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
type Ajv = typeof import('ajv');
type Ajv2020 = typeof import('ajv/dist/2020.js');
type Crypto = typeof import('node:crypto');

const load = createRequire(import.meta.url);

export const yamlLibrary = (): Yaml => load('yaml') as Yaml;
/** ajv for draft-07 schemas (the definition and matrix schemas). */
export const ajvClass = (): Ajv['default'] => (load('ajv') as Ajv).default;
/** ajv for draft 2020-12 schemas (compat/schema). */
export const ajv2020Class = (): Ajv2020['default'] => (load('ajv/dist/2020.js') as Ajv2020).default;
/** node:crypto: a secret object's keyid decryption. */
export const cryptoModule = (): Crypto => load('node:crypto') as Crypto;
