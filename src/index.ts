/** hotmem's typed API: everything a front end or a user program builds machines with. */
export * from './core/index.js';
export * from './qom/index.js';
export * from './machine/index.js';
export * from './host/index.js';
export { LinuxGuest, type LinuxGuestOptions } from './guest/linux-guest.js';
export { attachLinuxGuest } from './cli/guest.js';
export { qemuBinary } from './cli/binary.js';
export { runQemu, type QemuBinary } from './frontends/cmdline/qemu.js';
export { QmpClient, type QmpClientEvent, type QmpReply } from './frontends/qmp/client.js';
export { QemuProcess, type ProcessStart } from './cli/qemu-process.js';
export { parseInvocation, runBatch, runInvocation, type BatchOutcome, type BatchRecord, type Invocation as BatchInvocation } from './cli/qemu-batch.js';
export type { ProcessRecipe, ProcessSpec } from './frontends/migration/recipe.js';
export { migrationCapabilities, migrationParameters, migrationStatsKeys, migrationStatuses } from './migration/qapi-data.js';
export { migrationSettings } from './migration/settings.js';
export * from './frontends/yaml/index.js';
export { runDefinition, startDefinition, type RunReport } from './frontends/yaml/run.js';
export { RUN_ENVIRONMENT } from './cli/commands/run.js';
export * from './matrix/index.js';
