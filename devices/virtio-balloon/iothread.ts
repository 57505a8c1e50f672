/**
 * The `iothread` object (-object iothread,id=io0): the event loop free-page-hint runs its queue
 * in. Only its QOM surface is modelled: the int properties and their setters' range check
 * (iothread.c; event-loop-base.c from 7.1, when aio-max-batch moved there and the thread-pool
 * limits came). The values are instance defaults, so help shows none.
 */
import { defineErrors } from '../../src/core/errors.js';
import type { PropertyDef } from '../../src/qom/property.js';
import type { TypeInfo } from '../../src/qom/type-info.js';

const INT64_MAX = '9223372036854775807';

export const iothreadErrors = defineErrors({
  'iothread.param-range': (a: { name: string }) => `${a.name} value must be in range [0, ${INT64_MAX}]`,
});

const param = (name: string, initial: number, since?: string): PropertyDef => ({
  name,
  type: { kind: 'int64' },
  typeName: 'int',
  origin: 'custom',
  default: initial,
  ...(since === undefined ? {} : { since }),
  set: (_obj, value) => {
    if ((value as number) < 0) throw iothreadErrors.error('iothread.param-range', { name });
  },
});

export const IOTHREAD_TYPES: readonly TypeInfo[] = [
  {
    name: 'iothread',
    parent: 'object',
    interfaces: ['user-creatable'],
    properties: [
      // IOTHREAD_POLL_MAX_NS_DEFAULT where the host can poll (Linux).
      param('poll-max-ns', 32768),
      param('poll-grow', 0),
      param('poll-shrink', 0),
      param('aio-max-batch', 0, '6.1'),
      param('thread-pool-min', 0, '7.1'),
      // THREAD_POOL_MAX_THREADS_DEFAULT
      param('thread-pool-max', 64, '7.1'),
    ],
  },
];
