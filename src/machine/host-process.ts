/**
 * The QEMU process a machine runs as, on its host: backends map guest RAM into it and devices
 * discard and populate through it. Objects created without a machine have none and map nothing.
 */
import { key } from '../core/keys.js';
import type { Arch } from '../core/arch.js';
import type { HostProcess } from '../host/process.js';
import type { QomObject } from '../qom/object.js';

export const HOST_PROCESS = key<HostProcess>('host process');

/** The architecture of the host an object's process runs on; x86_64 for objects without a machine. */
export const hostArchOf = (obj: QomObject): Arch => obj.model.services.get(HOST_PROCESS)?.host.arch.name ?? 'x86_64';
