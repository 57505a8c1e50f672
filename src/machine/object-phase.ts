/**
 * When vl.c creates each -object: thread-context before the sandbox (7.2+), then the "early"
 * objects, then the "late" ones (memory backends, so allocating large memory cannot delay the
 * monitors; the rest for a property naming a chardev, netdev or block node made in between).
 * Within a phase, command-line order. The phase decides which failure QEMU reports first and the
 * order /objects' table is filled in, which qom-list and query-memdev show.
 */
const LATE_TYPES: readonly string[] = [
  'rng-egd',
  'qtest',
  'cryptodev-vhost-user',
  'vhost-user-blk-server',
  'filter-buffer',
  'filter-dump',
  'filter-mirror',
  'filter-redirector',
  'colo-compare',
  'filter-rewriter',
  'filter-replay',
];

/**
 * 'monitors': the "mon" option list (-mon, -qmp, -monitor), which qemu_create_late_backends
 * creates after the late objects. An -object monitor-qmp is a late object: its chardev exists
 * only once the early objects are made.
 */
export type ObjectPhase = 'pre-sandbox' | 'early' | 'late' | 'monitors';

export function objectPhase(type: string): ObjectPhase {
  if (type === 'thread-context') return 'pre-sandbox';
  return type.startsWith('memory-backend-') || type === 'monitor-qmp' || LATE_TYPES.includes(type) ? 'late' : 'early';
}

const RANK: Readonly<Record<ObjectPhase, number>> = { 'pre-sandbox': 0, early: 1, late: 2, monitors: 3 };

type Created =
  | { readonly kind: 'object'; readonly type: string }
  /** `objectOption`: made by -object (a late object), not by the "mon" list. */
  | { readonly kind: 'monitor'; readonly type: string; readonly objectOption: boolean };

const phaseOf = (item: Created): ObjectPhase => (item.kind === 'monitor' && !item.objectOption ? 'monitors' : objectPhase(item.type));

/** The objects in creation order (a stable sort of the command line's). */
export function inCreationOrder<T extends Created>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => RANK[phaseOf(a)] - RANK[phaseOf(b)]);
}
