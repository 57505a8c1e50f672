/** YAML machine definitions: the schema, the loader, its errors, and the way to a Machine. */
export type * from './definition.js';
export { MEMORY_MEASURES } from './definition.js';
export { DefinitionError, definitionProblems, formatPosition, formatProblem, type DefinitionProblem, type ProblemCode, type SourcePosition } from './errors.js';
export { brokenBounds, comparisonText, dataMatches, propertyMatches } from './expectations.js';
export { loadDefinitionFile, parseDefinition, type LoadOptions } from './load.js';
export { deviceItem, memoryOption, objectItem, toMachineOptions } from './machine-options.js';
export { readDefinitionSchema, SCHEMA_PATH, type DefinitionSchema } from './schema.js';
export { definitionSize, expectedText, libvirtSize, propertyText, qemuSizeText } from './sizes.js';
export { editDistance, propertyNameHint, suggest, suggestKey } from './suggest.js';
export { unknownPropertyProblem } from './unknown-property.js';
