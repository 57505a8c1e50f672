/** The seed stories as runnable scenarios, each with the outcome its documents give per variant. */
import { BALLOON_S390X } from './balloon-s390x.js';
import { POSTCOPY_CMMA } from './postcopy-cmma.js';
import { POSTCOPY_STORAGE_KEYS } from './postcopy-storage-keys.js';
import type { SeedScenario } from './seed.js';
import { VIRTIO_MEM_UNPLUGGED_INACCESSIBLE } from './virtio-mem-unplugged-inaccessible.js';
import { X86_MEMFD_VS_ANON } from './x86-memfd-vs-anon.js';

export const SEEDS: readonly SeedScenario[] = [BALLOON_S390X, POSTCOPY_STORAGE_KEYS, POSTCOPY_CMMA, X86_MEMFD_VS_ANON, VIRTIO_MEM_UNPLUGGED_INACCESSIBLE];

export { plugVirtioMem, seedEnvironment, startSeedMachine, type SeedMachineSpec } from './machines.js';
export { variantOf, type ExpectedOutcome, type SeedRun, type SeedScenario, type SeedVariant } from './seed.js';
export { BALLOON_S390X, POSTCOPY_CMMA, POSTCOPY_STORAGE_KEYS, VIRTIO_MEM_UNPLUGGED_INACCESSIBLE, X86_MEMFD_VS_ANON };
