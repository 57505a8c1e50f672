/**
 * thread-context (util/thread-context.c, 7.2+): a thread whose CPU affinity later threads inherit,
 * named by a memory backend's prealloc-context. Nothing in hotmem runs preallocation threads, so
 * only what makes QEMU refuse one is modelled: mixing CPU and node affinity, nodes without CPUs,
 * and an affinity sched_setaffinity refuses because it holds no online CPU of the host.
 */
import { defineErrors } from '../../src/core/errors.js';
import { checkUint16List } from '../../src/core/parse/uint16-list.js';
import { key } from '../../src/core/keys.js';
import { HOST_PROCESS } from '../../src/machine/host-process.js';
import type { QomObject } from '../../src/qom/object.js';
import type { PropertyDef } from '../../src/qom/property.js';
import type { TypeInfo } from '../../src/qom/type-info.js';
import { DEFAULT_CPUS_PER_NODE, type Host } from '../../src/host/host.js';
import { hostNodeList } from '../memory-backend/properties.js';

export const threadContextErrors = defineErrors({
  'thread-context.mixed': () => 'Mixing CPU and node affinity not supported',
  'thread-context.no-cpus': () => 'The nodes select no CPUs',
  // strerror(EINVAL) after QEMU's words.
  'thread-context.affinity': () => 'Setting CPU affinity failed: Invalid argument',
});

/**
 * A uint16 list as the options visitor gathers it: `0-1`, repeated keys joined with `:` (as
 * host-nodes keeps it), read back as its members.
 */
const affinity = (name: string): PropertyDef => ({
  name,
  type: { kind: 'str' },
  typeName: 'int',
  origin: 'custom',
  optionSyntax: (text) => checkUint16List(name, text),
  set: (obj, value) => {
    const other = name === 'cpu-affinity' ? 'node-affinity' : 'cpu-affinity';
    if (obj.stored(other) !== undefined) throw threadContextErrors.error('thread-context.mixed');
    const earlier = obj.stored(name);
    if (earlier === undefined || value === '') return;
    obj.store(name, `${String(earlier)}:${String(value)}`);
    return { stored: true };
  },
  visit: hostNodeList,
});

/** The host a context's thread runs on; a machine without one is on a modelled default host. */
function nodeCpusOf(obj: QomObject): Host['nodeCpus'] {
  return obj.model.services.get(HOST_PROCESS)?.host.nodeCpus ?? [Array.from({ length: DEFAULT_CPUS_PER_NODE }, (_, i) => i)];
}

/** The context thread's id once it runs. */
const THREAD_ID = key<number>('thread-context thread id');

/**
 * thread_context_instance_complete: the thread starts and takes the affinity set before. A model
 * without a host process starts no thread, and thread-id stays QEMU's -1 of a thread not started.
 */
function complete(obj: QomObject): void {
  const nodeCpus = nodeCpusOf(obj);
  const cpus = obj.stored('cpu-affinity');
  const nodes = obj.stored('node-affinity');
  if (nodes !== undefined) {
    // numa_node_to_cpus for each node; a node the host lacks selects none.
    const selected = hostNodeList(nodes).flatMap((n) => nodeCpus[n] ?? []);
    if (selected.length === 0) throw threadContextErrors.error('thread-context.no-cpus');
  }
  if (cpus !== undefined) {
    // sched_setaffinity fails with EINVAL only when the mask holds no online CPU.
    const online = new Set(nodeCpus.flat());
    if (!hostNodeList(cpus).some((cpu) => online.has(cpu))) throw threadContextErrors.error('thread-context.affinity');
  }
  const host = obj.model.services.get(HOST_PROCESS)?.host;
  if (host) obj.slots.set(THREAD_ID, host.newThreadId());
}

export const THREAD_CONTEXT_TYPES: readonly TypeInfo[] = [
  {
    name: 'thread-context',
    since: '7.2',
    parent: 'object',
    interfaces: ['user-creatable'],
    properties: [
      { name: 'thread-id', type: { kind: 'int32' }, typeName: 'int', origin: 'custom', readOnly: true, get: (obj) => obj.slots.get(THREAD_ID) ?? -1 },
      affinity('node-affinity'),
      affinity('cpu-affinity'),
    ],
    realize: complete,
  },
];
