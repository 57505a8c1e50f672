/**
 * Reads compat/ (YAML) and checks every document against its JSON schema (compat/schema/), so a
 * malformed data file fails at load time with the file and the offending path named.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ajv2020Class, yamlLibrary } from '../../core/on-demand.js';
import { compatErrors } from './errors.js';
import type { ArraysDoc, BuildFeaturesDoc, CompatDocuments, MachinesDoc, ReleasesDoc } from './documents.js';

const SCHEMAS = ['common', 'releases', 'build-features', 'arrays', 'machines', 'migration'] as const;
export type SchemaName = Exclude<(typeof SCHEMAS)[number], 'common'>;

/** The schema validators, compiled from compat/schema/<name>.schema.json. */
export function compileSchemas(compatDir: string): Readonly<Record<SchemaName, ValidateFunction>> {
  const Ajv2020 = ajv2020Class();
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  for (const name of SCHEMAS) {
    ajv.addSchema(JSON.parse(readFileSync(join(compatDir, 'schema', `${name}.schema.json`), 'utf8')) as object, `${name}.schema.json`);
  }
  const get = (name: SchemaName): ValidateFunction => {
    const validate = ajv.getSchema(`${name}.schema.json`);
    if (!validate) throw new Error(`internal: schema ${name} did not compile`);
    return validate;
  };
  return {
    releases: get('releases'),
    'build-features': get('build-features'),
    arrays: get('arrays'),
    machines: get('machines'),
    migration: get('migration'),
  };
}

/** Parses one YAML file and validates it; `T` is the shape its schema admits. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T names the document type the caller's schema validates
export function readDocument<T>(compatDir: string, path: string, validate: ValidateFunction): { file: string; doc: T } {
  const file = relative(join(compatDir, '..'), path);
  let value: unknown;
  try {
    value = yamlLibrary().parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw compatErrors.error('compat.invalid-data', { file, problem: (e as Error).message });
  }
  if (!validate(value)) {
    const problem = (validate.errors ?? []).map((err) => `${err.instancePath || '/'} ${err.message ?? 'is invalid'}`).join('; ');
    throw compatErrors.error('compat.invalid-data', { file, problem });
  }
  return { file, doc: value as T };
}

const yamlFilesIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join(dir, name));

/** Every document under `compatDir`, schema-checked. */
export function readCompatDocuments(compatDir: string): CompatDocuments {
  const validators = compileSchemas(compatDir);
  return {
    releases: readDocument<ReleasesDoc>(compatDir, join(compatDir, 'releases.yaml'), validators.releases).doc,
    buildFeatures: readDocument<BuildFeaturesDoc>(compatDir, join(compatDir, 'build-features.yaml'), validators['build-features']).doc,
    arrays: yamlFilesIn(join(compatDir, 'arrays')).map((path) => readDocument<ArraysDoc>(compatDir, path, validators.arrays)),
    machines: yamlFilesIn(join(compatDir, 'machines')).map((path) => readDocument<MachinesDoc>(compatDir, path, validators.machines)),
  };
}
