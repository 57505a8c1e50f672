/**
 * Loading a definition: YAML syntax, then the schema, then the checks the schema cannot express,
 * then migration destinations (loaded the same way, each reporting against its own file).
 * Problems of one stage are all reported together; a later stage runs only on a tree the earlier
 * ones accepted, because its findings on a malformed tree would be noise.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildDefinition, type DestinationLoader } from './build.js';
import type { MachineDefinition } from './definition.js';
import { DefinitionError, problem, type DefinitionProblem } from './errors.js';
import { readDefinitionSchema, schemaProblems, type DefinitionSchema } from './schema.js';
import { displayLabel, readSourceTree } from './source-tree.js';

export interface LoadOptions {
  /** Reads migration destinations (and, for loadDefinitionFile, the file itself); the file system by default. */
  readonly readFile?: (path: string) => string;
}

const readUtf8 = (path: string): string => readFileSync(path, 'utf8');

// Compiled once per process and never changed: compiling costs tens of milliseconds per load.
let packageSchema: DefinitionSchema | undefined;
const definitionSchema = (): DefinitionSchema => (packageSchema ??= readDefinitionSchema());

interface ChainLink {
  readonly key: string;
  readonly name: string;
}

interface Loaded {
  readonly definition: MachineDefinition | undefined;
  readonly problems: readonly DefinitionProblem[];
}

function unreadable(e: unknown): string {
  if ((e as { code?: unknown }).code === 'ENOENT') return 'no such file';
  return e instanceof Error ? e.message : String(e);
}

function load(text: string, file: string, chain: readonly ChainLink[], options: LoadOptions): Loaded {
  const tree = readSourceTree(text, file);
  if (tree.problems.length > 0) return { definition: undefined, problems: tree.problems };
  const invalid = schemaProblems(tree, definitionSchema());
  if (invalid.length > 0) return { definition: undefined, problems: invalid };

  const destinationProblems: DefinitionProblem[] = [];
  const loadDestination: DestinationLoader = (path, from) => {
    const at = displayLabel(tree.spans.get(from.pointer)?.label ?? '');
    const link = { key: resolve(path), name: path };
    if (chain.some((c) => c.key === link.key)) {
      destinationProblems.push(problem('definition.migration-cycle', { at, chain: [...chain, link].map((c) => c.name) }, from));
      return undefined;
    }
    let destinationText: string;
    try {
      destinationText = (options.readFile ?? readUtf8)(path);
    } catch (e) {
      destinationProblems.push(problem('definition.migration-target', { at, to: path, reason: unreadable(e) }, from));
      return undefined;
    }
    const destination = load(destinationText, path, [...chain, link], options);
    destinationProblems.push(...destination.problems);
    return destination.definition;
  };
  const built = buildDefinition(tree, loadDestination);
  const problems = [...built.problems, ...destinationProblems];
  return { definition: problems.length === 0 ? built.definition : undefined, problems };
}

/**
 * Loads a definition from its text. `file` names it in messages and is the base for relative
 * migrate.to paths. Throws DefinitionError listing every problem found.
 */
export function parseDefinition(text: string, file: string, options: LoadOptions = {}): MachineDefinition {
  const { definition, problems } = load(text, file, [{ key: resolve(file), name: file }], options);
  if (definition === undefined) throw new DefinitionError(problems);
  return definition;
}

/** Reads and loads a definition file. A file that cannot be read fails as the read does. */
export function loadDefinitionFile(path: string, options: LoadOptions = {}): MachineDefinition {
  return parseDefinition((options.readFile ?? readUtf8)(path), path, options);
}
