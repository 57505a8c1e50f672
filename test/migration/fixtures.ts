/**
 * Migration test fixtures: x86_64 and s390x machine pairs on their own hosts, content snapshots
 * of RAMBlocks, and virtio-mem device state as its section saves it.
 */
import { GiB, MiB } from '../../src/core/units.js';
import type { Machine, StartupItem } from '../../src/machine/machine.js';
import type { MigrationOutcome } from '../../src/migration/outcome.js';
import { migratableBlocks } from '../../src/migration/ram-blocks.js';
import { RAM_BLOCK } from '../../src/machine/ram-block.js';
import { plugVirtioMem, startSeedMachine, type SeedMachineSpec } from '../../src/migration/seeds/machines.js';
import type { VmSection } from '../../src/migration/vmstate.js';
import { VIRTIO_MEM_VMSTATE } from '../../devices/virtio-mem/vmstate.js';
import { VIRTIO_MEM_RUNTIME, type VirtioMemRuntime } from '../../devices/virtio-mem/index.js';

export { GiB, MiB, plugVirtioMem, startSeedMachine };
export const PAGE = 4096;

export interface X86Options {
  readonly release?: string;
  readonly machine?: string;
  readonly kernel?: string;
  /** -m; `2G,maxmem=16G` with a virtio-mem device. */
  readonly memory?: string;
  /** A virtio-mem-pci `vm0` with memdev `mem0` of this backend and size. */
  readonly virtioMem?: { readonly backend: string; readonly size: string; readonly device?: readonly { name: string; value: string }[] };
  readonly mainBackend?: string;
}

export function x86Spec(o: X86Options = {}): SeedMachineSpec {
  const items: StartupItem[] = [];
  if (o.mainBackend) items.push({ kind: 'object', type: o.mainBackend, id: 'ram0', props: [{ name: 'size', value: o.memory ?? '512M' }] });
  if (o.virtioMem) {
    items.push({ kind: 'object', type: o.virtioMem.backend, id: 'mem0', props: [{ name: 'size', value: o.virtioMem.size }] });
    items.push({ kind: 'device', driver: 'virtio-mem-pci', id: 'vm0', props: [{ name: 'memdev', value: 'mem0' }, ...(o.virtioMem.device ?? [])] });
  }
  return {
    release: o.release ?? '7.2',
    arch: 'x86_64',
    kernel: o.kernel ?? 'linux-6.1',
    accel: 'kvm',
    machine: o.machine ?? 'pc-q35-7.2',
    memory: o.memory ?? (o.virtioMem ? '512M,maxmem=8G' : '512M'),
    ...(o.mainBackend ? { memoryBackend: 'ram0' } : {}),
    items,
  };
}

export function s390Spec(kernel: string, memory = '256M'): SeedMachineSpec {
  return { release: '7.2', arch: 's390x', kernel, accel: 'kvm', memory };
}

/** The RAMBlock idstr of a backend's block: "pc.ram" for RAM, "0000:00:01.0/mem0" for a q35 virtio-mem memdev. */
export function blockOf(machine: Machine, backendId: string): string {
  const block = machine.model.resolvePath(`/objects/${backendId}`)?.slots.get(RAM_BLOCK);
  if (!block) throw new Error(`no backend ${backendId}`);
  return block.idstr;
}

export function mappingOf(machine: Machine, idstr: string) {
  const b = migratableBlocks(machine).find((x) => x.idstr === idstr);
  if (!b) throw new Error(`no RAMBlock ${idstr}`);
  return b.mapping;
}

/** The content of a block page by page (tags), as the guest would read it. */
export function contentOf(machine: Machine, idstr: string): Uint32Array {
  const m = mappingOf(machine, idstr);
  const out = new Uint32Array(m.size / PAGE);
  for (const r of m.contentRuns()) out.fill(r.tag, r.offset / PAGE, (r.offset + r.length) / PAGE);
  return out;
}

/** Every migratable block's content, by idstr. */
export function allContent(machine: Machine): Map<string, Uint32Array> {
  return new Map(migratableBlocks(machine).map((b) => [b.idstr, contentOf(machine, b.idstr)]));
}

export function virtioMemOf(machine: Machine, id = 'vm0'): { obj: ReturnType<Machine['model']['resolvePath']> & object; runtime: VirtioMemRuntime } {
  const obj = machine.model.resolvePath(id)!.child('virtio-backend')!;
  return { obj, runtime: obj.slots.get(VIRTIO_MEM_RUNTIME)! };
}

/** virtio-mem's device state as its sections save it (the late section, and the early one if registered). */
export function virtioMemState(machine: Machine, id = 'vm0'): VmSection[] {
  const { obj } = virtioMemOf(machine, id);
  return VIRTIO_MEM_VMSTATE.filter((d) => d.registered(obj)).map((d) => d.save(obj));
}

/** The failure fields of an outcome, or a clear assertion message. */
export function failed(outcome: MigrationOutcome): Extract<MigrationOutcome, { kind: 'failed' }> {
  if (outcome.kind !== 'failed') throw new Error(`expected a failed migration, got ${outcome.kind}`);
  return outcome;
}
