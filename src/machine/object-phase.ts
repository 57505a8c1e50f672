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

export type ObjectPhase = 'pre-sandbox' | 'early' | 'late';

export function objectPhase(type: string): ObjectPhase {
  if (type === 'thread-context') return 'pre-sandbox';
  return type.startsWith('memory-backend-') || LATE_TYPES.includes(type) ? 'late' : 'early';
}

const RANK: Readonly<Record<ObjectPhase, number>> = { 'pre-sandbox': 0, early: 1, late: 2 };

/** The objects in creation order (a stable sort of the command line's). */
export function inCreationOrder<T extends { readonly type: string }>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => RANK[objectPhase(a.type)] - RANK[objectPhase(b.type)]);
}
