/**
 * The YAML parser and the JSON-schema validator, loaded when first used. Only the commands that
 * read YAML or check a schema need them (`hotmem qemu` reads the build's precompiled compat
 * data), and evaluating them was a large share of a short command's start-up. They load through
 * Node's require, so a bundle leaves them in node_modules instead of evaluating them at start.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
type Ajv = typeof import('ajv');
type Ajv2020 = typeof import('ajv/dist/2020.js');

const load = createRequire(import.meta.url);

export const yamlLibrary = (): Yaml => load('yaml') as Yaml;
/** ajv for draft-07 schemas (the definition and matrix schemas). */
export const ajvClass = (): Ajv['default'] => (load('ajv') as Ajv).default;
/** ajv for draft 2020-12 schemas (compat/schema). */
export const ajv2020Class = (): Ajv2020['default'] => (load('ajv/dist/2020.js') as Ajv2020).default;
