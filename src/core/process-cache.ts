/**
 * The caches of data a process reads once and keeps (a release's device tables, compat image,
 * QMP schema, a modelled binary's types): each module that holds one makes it here, so that the
 * start-up snapshot's build can empty them all after its warm-up. The snapshot then carries the
 * warm-up's compiled code and no release's data: a start reads the release it is asked for,
 * whichever it is, and deserializes a smaller heap (a megabyte and a half less, some 4 ms of CPU
 * a start, measured with the bench/speed configuration).
 */
const caches: Map<unknown, unknown>[] = [];

/** A new, empty cache, emptied again by forgetProcessCaches. */
export function processCache<K, V>(): Map<K, V> {
  const cache = new Map<K, V>();
  caches.push(cache);
  return cache;
}

/** Empties every process cache (build/snapshot-entry.ts, once its warm-up has run). */
export function forgetProcessCaches(): void {
  for (const cache of caches) cache.clear();
}
