/**
 * The machine's vCPUs as QEMU creates them at board init (x86_cpus_init, s390_init_cpus): one
 * object of the -cpu model's type per present CPU, filed under /machine/unattached/device[N] as
 * qdev files a device without a parent, each with a host thread. On x86 the first CPU's APIC
 * creates the kvmvapic device right after it, so cpu1 is device[2].
 */
import type { Arch } from '../core/arch.js';
import type { Host } from '../host/host.js';
import type { ObjectModel } from '../qom/object-model.js';
import type { QomObject } from '../qom/object.js';
import type { RegistryView } from '../qom/registry.js';
import type { TypeInfo } from '../qom/type-info.js';
import type { PossibleCpu } from './smp.js';

/** A created vCPU: its possible-CPU slot, its object and its thread's id on the host. */
export interface Vcpu {
  readonly slot: PossibleCpu;
  readonly object: QomObject;
  readonly threadId: number;
}

/** The QOM type of a CPU model: `<model>-x86_64-cpu`, `<model>-s390x-cpu`. */
export const cpuTypeName = (model: string, arch: Arch): string => `${model}-${arch}-cpu`;

/** The x86 APIC's VAPIC option ROM device; not user-creatable, so no release data describes it. */
const KVMVAPIC_TYPE: TypeInfo = { name: 'kvmvapic', parent: 'device' };

/**
 * The types the vCPUs need that the view's registry lacks: kvmvapic on x86, and the CPU type
 * itself: as the view finds it in the release's device data, or bare in a release hotmem has no
 * device data of (then the vCPU objects carry no properties). The machine's registry extends the
 * view's, and taking the type the view made spares it making the CPU's 500 properties again.
 */
export function vcpuSupportTypes(view: RegistryView, cpuType: string, arch: Arch): readonly TypeInfo[] {
  return [
    ...(arch === 'x86_64' && !view.exists(KVMVAPIC_TYPE.name) ? [KVMVAPIC_TYPE] : []),
    ...(view.registry.info(cpuType) ? [] : [view.info(cpuType) ?? { name: cpuType, parent: 'device' }]),
  ];
}

/**
 * Creates the present CPUs (the first `count` possible ones) and what comes with them; each
 * takes `features` (its feature flags as realize settles them, the same for every CPU), and
 * `realize` runs the model's checks for each CPU by index, once it exists, and may refuse it.
 */
export function createVcpus(
  model: ObjectModel,
  cpuType: string,
  slots: readonly PossibleCpu[],
  count: number,
  host: Host,
  arch: Arch,
  features: ReadonlyArray<readonly [property: string, on: boolean]>,
  realize: (index: number) => void,
): readonly Vcpu[] {
  const realized = (type: string): QomObject => {
    const { object } = model.instantiate(type);
    model.attachUnattached(object);
    object.realized = true;
    return object;
  };
  return slots.slice(0, count).map((slot, i) => {
    const object = realized(cpuType);
    realize(i);
    for (const [name, on] of features) object.store(name, on);
    // The board's pre-plug writes the slot's ids into the CPU's fields (pc_cpu_pre_plug), which
    // the type's properties of those names read; a value no property reads stays unseen, so the
    // type's 500 properties need not be made to know which it has.
    for (const [name, value] of Object.entries(slot.props)) object.store(name, value);
    const threadId = host.newThreadId();
    if (arch === 'x86_64' && i === 0) realized(KVMVAPIC_TYPE.name);
    return { slot, object, threadId };
  });
}
