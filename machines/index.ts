/** The machine families hotmem models. */
import type { MachineFamily } from '../src/machine/family.js';
import { PC_I440FX, PC_Q35 } from './pc/family.js';
import { S390_CCW_VIRTIO } from './s390-ccw-virtio/family.js';

export const MACHINE_FAMILIES: readonly MachineFamily[] = [PC_I440FX, PC_Q35, S390_CCW_VIRTIO];
