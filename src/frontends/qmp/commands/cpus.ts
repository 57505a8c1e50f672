/**
 * query-cpus-fast and query-hotpluggable-cpus: the vCPUs and possible CPU slots of the machine's
 * -smp topology, which libvirt reads when it starts a guest (qemuDomainRefreshVcpuInfo).
 */
import type { Arch } from '../../../core/arch.js';
import { inWindow } from '../../../core/release.js';
import type { Machine } from '../../../machine/machine.js';
import { inQdictOrder } from '../qobject.js';
import type { QmpCommand } from '../session.js';

/** CpuInfoArch, which CpuInfoFast carried as `arch` until 6.0 removed it. */
const CPU_INFO_ARCH: Readonly<Record<Arch, string>> = { x86_64: 'x86', s390x: 's390' };

/**
 * CpuInfoFast of each vCPU, members in schema order. On s390x the state is the one a stopped machine reports: the boot
 * CPU operating and the others stopped until a guest starts them (hotmem's guests start none).
 */
export function cpusFast(machine: Machine): readonly Record<string, unknown>[] {
  const r = machine.release;
  return machine.vcpus.map((vcpu) => ({
    'cpu-index': vcpu.slot.index,
    // "qapi/machine: Add @qom-type field to CpuInfoFast structure", 10.1.
    ...(inWindow(r, { since: '10.1' }) ? { 'qom-type': vcpu.object.type } : {}),
    'qom-path': vcpu.object.path(),
    'thread-id': vcpu.threadId,
    props: vcpu.slot.props,
    ...(inWindow(r, { until: '6.0' }) ? { arch: CPU_INFO_ARCH[machine.arch] } : {}),
    target: machine.arch,
    ...(machine.arch === 's390x' ? { 'cpu-state': vcpu.slot.index === 0 ? 'operating' : 'stopped' } : {}),
  }));
}

/** HotpluggableCPU of each possible CPU (schema order), last first (QEMU builds the list by prepending). */
export function hotpluggableCpus(machine: Machine): readonly Record<string, unknown>[] {
  const type = machine.vcpus[0]!.object.type;
  return machine.possibleCpus
    .map((slot) => {
      const vcpu = machine.vcpus[slot.index];
      return { type, 'vcpus-count': 1, props: slot.props, ...(vcpu ? { 'qom-path': vcpu.object.path() } : {}) };
    })
    .reverse();
}

/**
 * The CPU part of query-acpi-ospm-status (ACPIOSTInfo per possible CPU, after the DIMM slots):
 * the pc boards answer with the modern CPU hotplug interface from 11.0 ("pc: Start with modern
 * CPU hotplug interface by default"); before, the legacy interface reports no CPU slots. The
 * CPUs created at start-up have no id, so no `device`.
 */
export function acpiCpuSlots(machine: Machine): readonly Record<string, unknown>[] {
  if (machine.arch !== 'x86_64' || inWindow(machine.release, { until: '11.0' })) return [];
  return machine.possibleCpus.map((slot) => ({ slot: String(slot.index), 'slot-type': 'CPU', source: 0, status: 0 }));
}

export const CPU_COMMANDS: readonly QmpCommand[] = [
  { name: 'query-cpus-fast', args: [], run: (ctx) => inQdictOrder(cpusFast(ctx.machine)) },
  { name: 'query-hotpluggable-cpus', args: [], run: (ctx) => inQdictOrder(hotpluggableCpus(ctx.machine)) },
];
