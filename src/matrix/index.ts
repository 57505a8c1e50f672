/**
 * The compat matrix: matrix files (dimensions, a scenario with placeholders, what to record and
 * expect), running their cells on worker threads, results that merge and diff, and reports.
 */
export { parseMatrix, loadMatrixFile } from './load.js';
export { MatrixError, type MatrixProblem } from './errors.js';
export { MATRIX_SCHEMA_PATH } from './schema.js';
export type { Dimension, DimensionValue, LabelledValue, Matrix, MemoryPoint, RecordSpec, Rule } from './spec.js';
export { expandMatrix, surveyMatrix, type Cell, type MatrixSurvey } from './expand.js';
export { parseFilter, filterMatches, type CellFilter } from './filter.js';
export { parseShard, type Shard } from './shard.js';
export { runMatrix, runMatrixToFile, type RunOptions } from './runner.js';
export { CellRunner } from './cell.js';
export { MatrixEnvironment } from './environment.js';
export { RESULTS_FORMAT, type CellResult, type CellStatus, type MatrixResults, type Selection, type TimelinePoint } from './results.js';
export { parseResults, readResultsFile } from './read-results.js';
export { mergeResults, mergeResultFiles } from './merge.js';
export { openResultsFile, type ResultsStream } from './results-file.js';
export { diffResults, type MatrixDiff } from './diff.js';
export { terminalReport } from './reports/terminal.js';
export { jsonReport } from './reports/json.js';
export { junitReport } from './reports/junit.js';
export { markdownReport } from './reports/markdown.js';
export { htmlReport } from './reports/html.js';
export { diffTerminalReport } from './reports/diff-terminal.js';
export { diffMarkdownReport } from './reports/diff-markdown.js';
