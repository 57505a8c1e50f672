/**
 * The QEMU process a machine runs as, on its host: backends map guest RAM into it and devices
 * discard and populate through it. Objects created without a machine have none and map nothing.
 */
import { key } from '../core/keys.js';
import type { HostProcess } from '../host/process.js';

export const HOST_PROCESS = key<HostProcess>('host process');
