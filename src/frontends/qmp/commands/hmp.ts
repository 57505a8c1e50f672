/**
 * human-monitor-command (HMP through QMP, as libvirt and scripts use it), and x-query-numa and
 * x-query-ramblock, the QMP side of `info numa` and `info ramblock`.
 */
import { inWindow } from '../../../core/release.js';
import type { Machine } from '../../../machine/machine.js';
import { MEMORY_DEVICE_OPS } from '../../../machine/memory-device.js';
import { numaPage, ramblockPage, type NumaNodeUsage } from '../../hmp/info.js';
import { runHmpLine } from '../../hmp/monitor.js';
import { QmpError } from '../errors.js';
import { cpusFast } from './cpus.js';
import type { QmpCommand, QmpContext } from '../session.js';

/**
 * query_numa_node_mem: each node's initial memory plus what memory devices put on it (virtio-pmem
 * counts on node 0, as QEMU's TODO says); the present vCPUs whose node-id is the node's.
 */
function numaUsage(machine: Machine): NumaNodeUsage[] {
  const cpus = cpusFast(machine);
  const usage = machine.numaNodes.map((node) => ({
    cpus: cpus.filter((c) => (c['props'] as Record<string, unknown>)['node-id'] === node.nodeId).map((c) => c['cpu-index'] as number),
    bytes: node.memBytes,
    pluggedBytes: 0,
  }));
  for (const device of machine.memoryDevices()) {
    const { type, data } = machine.model.view.implementation(device.type, MEMORY_DEVICE_OPS)!.info(device);
    const node = type === 'virtio-pmem' ? 0 : (data['node'] as number);
    const size = data['size'] as number;
    const entry = usage[node];
    if (!entry) continue;
    usage[node] = { ...entry, bytes: entry.bytes + size, pluggedBytes: entry.pluggedBytes + size };
  }
  return usage;
}

export function hmpCommands(qmpCommands: () => readonly QmpCommand[]): readonly QmpCommand[] {
  const qmp =
    (ctx: QmpContext) =>
    (name: string, args: Record<string, unknown> = {}) => {
      const command = qmpCommands().find((c) => c.name === name)!;
      return command.run(ctx, args);
    };
  return [
    {
      name: 'human-monitor-command',
      args: [
        { name: 'command-line', type: 'str' },
        { name: 'cpu-index', type: 'int', optional: true },
      ],
      run: (ctx, args) => {
        // monitor_set_cpu: a present vCPU's index.
        const cpuIndex = args['cpu-index'];
        if (cpuIndex !== undefined && !ctx.machine.vcpus.some((v) => v.slot.index === cpuIndex))
          throw new QmpError('GenericError', "Parameter 'cpu-index' expects a CPU number");
        const hmp = {
          release: ctx.machine.release,
          arch: ctx.machine.arch,
          qmp: qmp(ctx),
          numaPage: () => numaPage(numaUsage(ctx.machine)),
          ramblockPage: () => ramblockPage(ctx.machine.ramBlocks(), ctx.machine.release),
        };
        return runHmpLine(hmp, args['command-line'] as string);
      },
    },
    {
      name: 'x-query-numa',
      args: [],
      // The x-query-* HumanReadableText commands came with 6.2.
      available: (ctx) => inWindow(ctx.machine.release, { since: '6.2' }),
      run: (ctx) => ({ 'human-readable-text': numaPage(numaUsage(ctx.machine)) }),
    },
    {
      name: 'x-query-ramblock',
      args: [],
      available: (ctx) => inWindow(ctx.machine.release, { since: '6.2' }),
      run: (ctx) => ({ 'human-readable-text': ramblockPage(ctx.machine.ramBlocks(), ctx.machine.release) }),
    },
  ];
}
