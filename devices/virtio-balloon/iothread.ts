/**
 * The `iothread` object (-object iothread,id=io0): the event loop free-page-hint runs its queue
 * in. Only its QOM surface is modelled: the int properties and their setters' range check
 * (iothread.c; event-loop-base.c from 7.1, when aio-max-batch moved there and the thread-pool
 * limits came; 11.1's poll-weight, with poll-grow and poll-shrink then set to their effective
 * defaults at creation). The values are instance defaults, so help shows none.
 */
import { defineErrors } from '../../src/core/errors.js';
import { key } from '../../src/core/keys.js';
import { HOST_PROCESS } from '../../src/machine/host-process.js';
import type { QomObject } from '../../src/qom/object.js';
import type { PropertyDef, ReleaseHistory } from '../../src/qom/property.js';
import type { TypeInfo } from '../../src/qom/type-info.js';

const INT64_MAX = '9223372036854775807';

export const iothreadErrors = defineErrors({
  'iothread.param-range': (a: { name: string; max: string }) => `${a.name} value must be in range [0, ${a.max}]`,
});

const param = (name: string, initial: number | ReleaseHistory<number>, since?: string, max = INT64_MAX): PropertyDef => ({
  name,
  type: { kind: 'int64' },
  typeName: 'int',
  origin: 'custom',
  default: initial,
  ...(since === undefined ? {} : { since }),
  set: (_obj, value) => {
    if ((value as number) < 0 || BigInt(value) > BigInt(max)) throw iothreadErrors.error('iothread.param-range', { name, max });
  },
});

/** AioContext's adaptive-polling defaults, which 11.1 writes into the object instead of applying when 0. */
const pollStep = [
  { since: '5.1', value: 0 },
  { since: '11.1', value: 2 },
] as const;

const THREAD_ID = key<number>('iothread thread id');

/** iothread_complete starts the thread; a model without a host process starts none (QEMU's -1). */
function complete(obj: QomObject): void {
  const host = obj.model.services.get(HOST_PROCESS)?.host;
  if (host) obj.slots.set(THREAD_ID, host.newThreadId());
}

export const iothreadThreadId = (obj: QomObject): number => obj.slots.get(THREAD_ID) ?? -1;

export const IOTHREAD_TYPES: readonly TypeInfo[] = [
  {
    name: 'iothread',
    parent: 'object',
    interfaces: ['user-creatable'],
    properties: [
      // IOTHREAD_POLL_MAX_NS_DEFAULT where the host can poll (Linux).
      param('poll-max-ns', 32768),
      param('poll-grow', pollStep),
      param('poll-shrink', pollStep),
      // A shift: 0 would select the default, 3, which is what a new iothread holds.
      param('poll-weight', 3, '11.1', '63'),
      param('aio-max-batch', 0, '6.1'),
      param('thread-pool-min', 0, '7.1'),
      // THREAD_POOL_MAX_THREADS_DEFAULT
      param('thread-pool-max', 64, '7.1'),
    ],
    realize: complete,
  },
];
