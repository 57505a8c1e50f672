/**
 * `-numa node,...` (hw/core/numa.c parse_numa_node and numa_complete_configuration): node ids,
 * memory per node from a memdev (or legacy mem=), the implicit node pc machines add when memory
 * hotplug is configured, and the checks that total memory matches RAM.
 */
import { HotmemError } from '../core/errors.js';
import { parseScalar } from '../core/parse/input-visitor.js';
import { optionValue, parseOptions, type ParsedOptions } from '../core/parse/options.js';
import type { Release } from '../core/release.js';
import type { ObjectModel } from '../qom/object-model.js';
import type { QomObject } from '../qom/object.js';
import { machineErrors } from './errors.js';
import { parseCpuIndexes, type CpuNodeAssignment } from './numa-cpus.js';

/** hw/core/numa.h MAX_NODES. */
export const MAX_NUMA_NODES = 128;

export interface NumaNode {
  readonly nodeId: number;
  readonly memBytes: number;
  /** The backend providing this node's memory (`-numa node,memdev=`), if any. */
  readonly memdev: QomObject | undefined;
}

export interface NumaRules {
  readonly supported: boolean;
  readonly legacyMemAllowed: boolean;
}

/**
 * Parses one `-numa` argument: a node is added to `nodes` (which it returns, extended), and the
 * CPUs a node's `cpus=` or a `-numa cpu` names are assigned to their node in `cpus`.
 */
export function parseNumaNode(text: string, nodes: readonly NumaNode[], model: ObjectModel, rules: NumaRules, r: Release, cpus: CpuNodeAssignment): NumaNode[] {
  if (!rules.supported) throw machineErrors.error('numa.unsupported');
  const options = parseOptions(text, 'type');
  const type = optionValue(options, 'type');
  if (type === 'cpu') {
    parseNumaCpu(options, nodes, cpus, r);
    return [...nodes];
  }
  if (type !== 'node') {
    throw new HotmemError('numa.type-not-modelled', `hotmem models '-numa node' and '-numa cpu' only, not '-numa ${type ?? ''}'`, { type });
  }
  const nodeIdText = optionValue(options, 'nodeid');
  const nodeId = nodeIdText === undefined ? nodes.length : (parseScalar({ kind: 'uint16' }, 'nodeid', nodeIdText, 'keyval', r).value as number);
  if (nodeId >= MAX_NUMA_NODES) throw machineErrors.error('numa.too-many-nodes', { max: nodeId });
  if (nodes.some((n) => n.nodeId === nodeId)) throw machineErrors.error('numa.duplicate-node', { node: nodeId });
  cpus.assignIndexes(nodeId, parseCpuIndexes(options.entries.filter((e) => e.key === 'cpus').map((e) => e.value)));
  const memText = optionValue(options, 'mem');
  const memdevId = optionValue(options, 'memdev');
  const legacyInUse = nodes.some((n) => n.memdev === undefined && n.memBytes > 0) || memText !== undefined;
  const memdevInUse = nodes.some((n) => n.memdev !== undefined) || memdevId !== undefined;
  if (legacyInUse && memdevInUse) throw machineErrors.error('numa.memdev-and-mem');
  if (memText !== undefined && !rules.legacyMemAllowed) throw machineErrors.error('numa.mem-unsupported');
  let memBytes = 0;
  let memdev: QomObject | undefined;
  if (memText !== undefined) memBytes = parseScalar({ kind: 'size' }, 'mem', memText, 'keyval', r).value as number;
  if (memdevId !== undefined) {
    memdev = model.resolvePath(memdevId);
    if (!memdev || !model.view.isA(memdev.type, 'memory-backend')) throw machineErrors.error('numa.memdev-not-found', { id: memdevId });
    memBytes = memdev.get('size') as number;
  }
  return [...nodes, { nodeId, memBytes, memdev }];
}

/**
 * numa_complete_configuration: adds the implicit node 0 when memory hotplug or memory devices
 * are configured on a machine that asks for it, then checks ids are dense and memory adds up.
 */
export function completeNuma(nodes: readonly NumaNode[], ramSize: number, implicitNode: boolean): NumaNode[] {
  const complete = nodes.length === 0 && implicitNode ? [{ nodeId: 0, memBytes: ramSize, memdev: undefined }] : [...nodes];
  const maxId = Math.max(-1, ...complete.map((n) => n.nodeId));
  for (let id = maxId; id >= 0; id--) {
    if (!complete.some((n) => n.nodeId === id)) throw machineErrors.error('numa.node-missing', { node: id });
  }
  if (complete.length > 0) {
    const total = complete.reduce((sum, n) => sum + n.memBytes, 0);
    if (total !== ramSize) throw machineErrors.error('numa.total-mismatch', { total, ram: ramSize });
  }
  return complete.sort((a, b) => a.nodeId - b.nodeId);
}

/** `-numa cpu,node-id=N,socket-id=...`: the node must exist already; the ids pick the slots. */
function parseNumaCpu(options: ParsedOptions, nodes: readonly NumaNode[], cpus: CpuNodeAssignment, r: Release): void {
  const number = (key: string): number | undefined => {
    const text = optionValue(options, key);
    return text === undefined ? undefined : (parseScalar({ kind: 'int64' }, key, text, 'keyval', r).value as number);
  };
  const nodeId = number('node-id');
  if (nodeId === undefined) throw machineErrors.error('numa.cpu-node-missing');
  if (!nodes.some((n) => n.nodeId === nodeId)) throw machineErrors.error('numa.cpu-node-undefined', { node: nodeId });
  const ids: Record<string, number> = {};
  for (const key of ['drawer-id', 'book-id', 'socket-id', 'die-id', 'cluster-id', 'module-id', 'core-id', 'thread-id']) {
    const value = number(key);
    if (value !== undefined) ids[key] = value;
  }
  cpus.assign(nodeId, ids);
}
