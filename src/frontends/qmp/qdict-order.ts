/**
 * The order QEMU walks a QDict (qobject/qdict.c): 512 buckets chosen by tdb_hash of the key,
 * scanned from bucket 0 up, each bucket newest entry first. Commands that apply a dictionary's
 * members one by one (device_add's properties) meet them in this order, so the first bad member
 * QEMU reports is the first in this order, not in the JSON text.
 */
const QDICT_BUCKET_MAX = 512;

/** tdb_hash (qobject/qdict.c), in unsigned 32-bit arithmetic. */
function tdbHash(key: string): number {
  const bytes = new TextEncoder().encode(key);
  let value = Math.imul(0x238f13af, bytes.length) >>> 0;
  for (let i = 0; i < bytes.length; i++) value = (value + (bytes[i]! << ((i * 5) % 24))) >>> 0;
  return (Math.imul(1103515243, value) + 12345) >>> 0;
}

/** The keys in the order qdict_first/qdict_next visit them, given their insertion order. */
export function qdictOrder(keys: readonly string[]): string[] {
  const bucket = (k: string) => tdbHash(k) % QDICT_BUCKET_MAX;
  // Within a bucket the newest entry comes first (QLIST_INSERT_HEAD).
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((x, y) => x.b - y.b || y.i - x.i)
    .map((e) => e.k);
}
