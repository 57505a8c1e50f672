/**
 * A cell's machine definition: the scenario template filled in with the cell's values, checked
 * by the definition schema and built by the definition builder exactly as `hotmem run` checks a
 * file, with problems positioned in the matrix file. `migrate: {to: NAME}` steps load the
 * matrix's destination NAME, filled in with the same values.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { buildDefinition, type DestinationLoader } from '../frontends/yaml/build.js';
import type { MachineDefinition } from '../frontends/yaml/definition.js';
import { problem, type DefinitionProblem } from '../frontends/yaml/errors.js';
import { readDefinitionSchema, schemaProblems, type DefinitionSchema } from '../frontends/yaml/schema.js';
import { displayLabel } from '../frontends/yaml/source-tree.js';
import type { Matrix } from './spec.js';
import { instantiate, type Resolve, type Template } from './template.js';

export type CellDefinition =
  { readonly ok: true; readonly definition: MachineDefinition } | { readonly ok: false; readonly problems: readonly DefinitionProblem[] };

let definitionSchema: DefinitionSchema | undefined;

export function cellDefinition(matrix: Matrix, resolve: Resolve): CellDefinition {
  const schema = (definitionSchema ??= readDefinitionSchema());
  const problems: DefinitionProblem[] = [];
  const base = dirname(matrix.file);
  const build = (template: Template, chain: readonly string[]): MachineDefinition | undefined => {
    const tree = instantiate(template, resolve, matrix.tree);
    const invalid = schemaProblems(tree, schema);
    if (invalid.length > 0) {
      problems.push(...invalid);
      return undefined;
    }
    const load: DestinationLoader = (path, from) => {
      const name = [...matrix.destinations.keys()].find((n) => (isAbsolute(n) ? n : join(base, n)) === path) ?? path;
      const at = displayLabel(tree.spans.get(from.pointer)?.label ?? '');
      const destination = matrix.destinations.get(name);
      if (destination === undefined) {
        const known = [...matrix.destinations.keys()];
        problems.push(
          problem(
            'definition.migration-target',
            { at, to: name, reason: `the matrix has no destination of that name (destinations: ${known.length === 0 ? 'none' : known.join(', ')})` },
            from,
          ),
        );
        return undefined;
      }
      if (chain.includes(name)) {
        problems.push(problem('definition.migration-cycle', { at, chain: [...chain, name] }, from));
        return undefined;
      }
      return build(destination, [...chain, name]);
    };
    const built = buildDefinition(tree, load);
    problems.push(...built.problems);
    return built.problems.length === 0 ? built.definition : undefined;
  };
  const definition = build(matrix.scenario, ['scenario']);
  return definition !== undefined && problems.length === 0 ? { ok: true, definition } : { ok: false, problems };
}
