/**
 * Which NUMA node each possible CPU belongs to: `-numa node,cpus=` and `-numa cpu,node-id=,...`
 * assign slots as machine_set_cpu_numa_node does (hw/core/machine.c), and once the nodes are
 * complete machine_numa_finish_cpu_init gives the others the board's default (x86: the socket
 * modulo the node count) or, when some were assigned, node 0 with a warning.
 */
import { HotmemError, type Warning } from '../core/errors.js';
import { machineErrors } from './errors.js';
import type { PossibleCpu } from './smp.js';

/** The slot ids `-numa cpu` may name, in the order QEMU checks the board supports them. */
const CPU_ID_PROPS = ['thread-id', 'core-id', 'module-id', 'cluster-id', 'socket-id', 'die-id'] as const;

/**
 * The options visitor's uint16 list of `-numa node,cpus=`: each value a number or an ascending
 * `a-b` range, the option repeated for more.
 */
export function parseCpuIndexes(texts: readonly string[]): number[] {
  return texts.flatMap((text) => {
    const range = /^(\d+)(?:-(\d+))?$/.exec(text);
    if (!range || (range[2] !== undefined && Number(range[2]) < Number(range[1]))) {
      throw new HotmemError('parse.invalid-parameter-value', "Parameter 'cpus' expects a uint64 value or range", { property: 'cpus' });
    }
    const first = Number(range[1]);
    const last = Number(range[2] ?? range[1]);
    if (last > 0xffff) throw new HotmemError('parse.invalid-parameter-value', "Parameter 'null' expects uint16_t", { property: 'cpus' });
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

export class CpuNodeAssignment {
  /** Node of each slot assigned so far, by slot index. */
  readonly #nodes = new Map<number, number>();

  constructor(
    readonly slots: readonly PossibleCpu[],
    readonly maxCpus: number,
  ) {}

  /** `-numa node,nodeid=N,cpus=...`: each index's slot, by all of its ids. */
  assignIndexes(nodeId: number, indexes: readonly number[]): void {
    for (const index of indexes) {
      if (index >= this.maxCpus) throw machineErrors.error('numa.cpu-index', { index, maxCpus: this.maxCpus });
      this.assign(nodeId, this.slots[index]!.props);
    }
  }

  /** machine_set_cpu_numa_node: every slot the ids match goes to the node. */
  assign(nodeId: number, ids: Readonly<Record<string, number>>): void {
    let match = false;
    for (const slot of this.slots) {
      const unsupported = CPU_ID_PROPS.find((p) => ids[p] !== undefined && slot.props[p] === undefined);
      if (unsupported !== undefined) throw machineErrors.error('numa.cpu-prop-unsupported', { prop: unsupported });
      if (CPU_ID_PROPS.some((p) => ids[p] !== undefined && ids[p] !== slot.props[p])) continue;
      const assigned = this.#nodes.get(slot.index);
      if (assigned !== undefined && assigned !== nodeId) throw machineErrors.error('numa.cpu-assigned', { node: assigned });
      match = true;
      this.#nodes.set(slot.index, nodeId);
    }
    if (!match) throw machineErrors.error('numa.cpu-no-match');
  }

  /** The slots with their node-id once `nodeCount` nodes exist (none: no node-id at all). */
  finish(nodeCount: number): { readonly slots: readonly PossibleCpu[]; readonly warnings: readonly Warning[] } {
    if (nodeCount === 0) return { slots: this.slots, warnings: [] };
    const defaultMapping = this.#nodes.size === 0;
    const unassigned = this.slots.filter((slot) => !this.#nodes.has(slot.index));
    const slots = this.slots.map((slot) => {
      const socket = slot.props['socket-id'] ?? 0;
      const node = this.#nodes.get(slot.index) ?? (defaultMapping ? socket % nodeCount : 0);
      return { index: slot.index, props: { 'node-id': node, ...slot.props } };
    });
    const warnings =
      defaultMapping || unassigned.length === 0
        ? []
        : [
            machineErrors.warning('numa.cpus-unassigned', {
              cpus: unassigned
                .map(
                  (slot) =>
                    `CPU ${slot.index} [${Object.entries(slot.props)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join(', ')}]`,
                )
                .join(', '),
            }),
            machineErrors.warning('numa.partial-mapping'),
          ];
    return { slots, warnings };
  }
}
