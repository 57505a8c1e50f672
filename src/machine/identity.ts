/** What -name and -uuid give the VM (query-name, query-uuid). */
import { key } from '../core/keys.js';

export interface VmIdentity {
  readonly name?: string;
  readonly uuid?: string;
}

export const VM_IDENTITY = key<VmIdentity>('vm identity');

/** qemu_uuid_unparse of a VM without -uuid: the null UUID. */
export const NULL_UUID = '00000000-0000-0000-0000-000000000000';
