/**
 * The published JSON schema of matrix files (matrix.schema.json beside this file), compiled with
 * the options the definition schema uses, so its problems are worded and positioned the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ajvClass } from '../core/on-demand.js';
import { packageRoot } from '../core/package-root.js';
import type { DefinitionSchema } from '../frontends/yaml/schema.js';

export const MATRIX_SCHEMA_PATH = 'src/matrix/matrix.schema.json';

let compiled: DefinitionSchema | undefined;

/** The compiled schema; compiled once per process (or worker), as compiling takes milliseconds. */
export function matrixSchema(): DefinitionSchema {
  if (compiled) return compiled;
  const json = JSON.parse(readFileSync(join(packageRoot(), MATRIX_SCHEMA_PATH), 'utf8')) as DefinitionSchema['json'];
  const Ajv = ajvClass();
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  compiled = { json, validate: ajv.compile(json) };
  return compiled;
}
