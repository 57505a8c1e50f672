/**
 * The monitors as QOM objects (11.1: monitor-qmp and monitor-hmp, user-creatable, filed under
 * /objects). The command line's monitors (-qmp, -monitor, -mon, -object monitor-*) are checked
 * and served by the front end (src/frontends/cmdline/monitors.ts) and filed here as made; what
 * the model has of them is their QOM surface. A monitor added at run time would need a chardev
 * served from then on, which hotmem does not do: object-add makes QEMU's checks, then refuses by
 * name.
 */
import { defineErrors, HotmemError } from '../../src/core/errors.js';
import { BACKEND_IDS, chardevInUse } from '../../src/qom/backend-refs.js';
import type { QomObject } from '../../src/qom/object.js';
import type { PropertyDef } from '../../src/qom/property.js';
import type { TypeInfo } from '../../src/qom/type-info.js';

export const monitorErrors = defineErrors({
  'monitor.chardev-not-found': (a: { id: string }) => `chardev "${a.id}" not found`,
  'monitor.run-time': (a: { type: string }) =>
    `hotmem does not model adding a monitor at run time (object-add of ${a.type}): it serves the monitors of its command line only`,
  'monitor.delete': (a: { id: string }) => `hotmem does not model deleting a monitor (object-del of '${a.id}')`,
});

/** The monitor types came with 11.1 ("monitor: QOM-ify"): its binary is the first to list them. */
const SINCE = '11.1';

const chardev: PropertyDef = { name: 'chardev', type: { kind: 'str' }, typeName: 'string', origin: 'custom', mandatory: true };

/**
 * monitor_complete: the chardev must exist and be free. Those of the command line's monitors were
 * checked as they were parsed; this runs for object-add only.
 */
function completeAtRunTime(monitor: QomObject): void {
  const id = monitor.get('chardev') as string;
  const backends = monitor.model.services.get(BACKEND_IDS);
  if (!backends?.ids.chardev.has(id)) throw monitorErrors.error('monitor.chardev-not-found', { id });
  const heldByMonitor = monitor.model.objectsOfType('monitor').some((m) => m !== monitor && m.get('chardev') === id);
  if (backends.heldChardevs.has(id) || heldByMonitor) throw new HotmemError('monitor.chardev-in-use', chardevInUse(id, monitor.model.env.release), { id });
  throw monitorErrors.error('monitor.run-time', { type: monitor.type });
}

export const MONITOR_TYPES: readonly TypeInfo[] = [
  {
    name: 'monitor',
    parent: 'object',
    abstract: true,
    since: SINCE,
    interfaces: ['user-creatable'],
    properties: [chardev],
    realize: completeAtRunTime,
    // QEMU deletes one (not the monitor asking: see object-del); hotmem would have to stop serving it.
    canBeDeleted: (m) => ({ refusal: monitorErrors.table['monitor.delete']({ id: m.nameInParent ?? '' }) }),
  },
  {
    name: 'monitor-qmp',
    parent: 'monitor',
    since: SINCE,
    properties: [
      { name: 'pretty', type: { kind: 'bool' }, origin: 'custom', default: false },
      {
        name: 'close-action',
        type: { kind: 'enum', typeName: 'MonitorQMPCloseAction', values: ['none', 'delete'] },
        origin: 'custom',
        default: 'none',
      },
    ],
  },
  { name: 'monitor-hmp', parent: 'monitor', since: SINCE, properties: [{ name: 'readline', type: { kind: 'bool' }, origin: 'custom', default: true }] },
];
