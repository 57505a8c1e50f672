export { CompatData } from './compat-data.js';
export { DISTRIBUTIONS, type DistributionName } from './documents.js';
export { compatErrors } from './errors.js';
export { loadCompatData } from './load.js';
export { formatMachineHelp, machineHelpOrder } from './machine-help.js';
export { readCompatDocuments } from './read-documents.js';
export {
  buildConfig,
  type BuildConfig,
  type BuildFeature,
  type CompatArray,
  type CompatEntry,
  type MachineType,
  type QemuEnvironment,
  type QemuRelease,
} from './types.js';
