/**
 * query-memdev and query-iothreads: the -object / object-add backends, walked as QEMU walks
 * /objects (object_child_foreach over its property table). query_memdev prepends each backend to
 * its answer, qmp_query_iothreads appends: the two list the same table in opposite orders.
 */
import { inWindow } from '../../../core/release.js';
import type { Machine } from '../../../machine/machine.js';
import type { QomObject } from '../../../qom/object.js';
import { hostNodeList } from '../../../../devices/memory-backend/properties.js';
import { iothreadThreadId } from '../../../../devices/virtio-balloon/iothread.js';
import { inQdictOrder } from '../qobject.js';
import type { QmpCommand } from '../session.js';

function objectsOfType(machine: Machine, type: string): QomObject[] {
  const objects = machine.model.resolvePath('/objects');
  return (objects?.childrenInTableOrder() ?? []).filter((o) => machine.model.view.isA(o.type, type));
}

/** Memdev's share and reserve came with 6.1 ("qmp: Include "share"/"reserve" property of memory backends"). */
const SHARE_AND_RESERVE = { since: '6.1' } as const;

/** IOThreadInfo reports the AioContext parameters; the thread-pool limits (7.1+) it leaves out. */
const IOTHREAD_INFO_PARAMETERS = ['poll-max-ns', 'poll-grow', 'poll-shrink', 'aio-max-batch', 'poll-weight'] as const;

export const OBJECT_QUERY_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-memdev',
    args: [],
    run: (ctx) =>
      inQdictOrder(
        objectsOfType(ctx.machine, 'memory-backend')
          .reverse()
          .map((backend) => ({
            id: backend.nameInParent!,
            size: backend.get('size'),
            merge: backend.get('merge'),
            dump: backend.get('dump'),
            prealloc: backend.get('prealloc'),
            ...(inWindow(ctx.machine.release, SHARE_AND_RESERVE) ? { share: backend.get('share'), reserve: backend.get('reserve') } : {}),
            'host-nodes': hostNodeList(backend.get('host-nodes')),
            policy: backend.get('policy'),
          })),
      ),
  },
  {
    name: 'query-iothreads',
    args: [],
    run: (ctx) => {
      const properties = ctx.machine.model.view.properties('iothread');
      return inQdictOrder(
        objectsOfType(ctx.machine, 'iothread').map((iothread) => ({
          id: iothread.nameInParent!,
          'thread-id': iothreadThreadId(iothread),
          ...Object.fromEntries(IOTHREAD_INFO_PARAMETERS.filter((name) => properties.has(name)).map((name) => [name, iothread.get(name)])),
        })),
      );
    },
  },
];
