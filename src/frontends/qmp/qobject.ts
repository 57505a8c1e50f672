/**
 * What QEMU's JSON parser builds (qobject/): numbers keep whether they were a signed or unsigned
 * 64-bit integer or a double, and a dictionary iterates in QDict's order (hash bucket, then the
 * newest entry first), which decides which bad member QMP names first and the order of the
 * members QEMU writes back.
 */

export type QNum =
  { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'uint'; readonly value: bigint } | { readonly kind: 'double'; readonly value: number };

export type QObject = null | boolean | string | QNumber | readonly QObject[] | QDict;

/** A QNum as a value of its own (plain objects are dictionaries). */
export class QNumber {
  constructor(readonly num: QNum) {}
}

/** qdict.c's QDICT_BUCKET_MAX. */
const QDICT_BUCKETS = 512;

// eslint-disable-next-line no-control-regex -- every ASCII character, control ones included
const ASCII = /^[\x00-\x7f]*$/;

/** qdict.c's tdb_hash (gdbm's), on the key's UTF-8 bytes, in 32-bit unsigned arithmetic. */
export function qdictBucket(key: string): number {
  // An ASCII key's character codes are its UTF-8 bytes.
  const utf8 = ASCII.test(key) ? undefined : Buffer.from(key, 'utf8');
  const length = utf8?.length ?? key.length;
  let value = Math.imul(0x238f13af, length) >>> 0;
  for (let i = 0; i < length; i++) value = (value + (((utf8 ? utf8[i]! : key.charCodeAt(i)) << ((i * 5) % 24)) >>> 0)) >>> 0;
  return ((Math.imul(1103515243, value) + 12345) >>> 0) % QDICT_BUCKETS;
}

/** Keys in the order qdict_first/qdict_next visit them, given their insertion order. */
export function qdictOrder(keys: readonly string[]): string[] {
  return keys
    .map((key, inserted) => ({ key, inserted, bucket: qdictBucket(key) }))
    .sort((a, b) => a.bucket - b.bucket || b.inserted - a.inserted)
    .map((e) => e.key);
}

/**
 * A command's answer as QEMU writes it: the output visitor builds each struct as a QDict, member
 * by member in schema order, and the JSON writer walks every QDict in its own order. The plain
 * objects given must hold their members in schema order: keys sharing a bucket come out newest
 * first (StatusInfo's status before singlestep).
 */
export function inQdictOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inQdictOrder);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const members = value as Record<string, unknown>;
  return Object.fromEntries(qdictOrder(Object.keys(members)).map((k) => [k, inQdictOrder(members[k])]));
}

export class QDict {
  readonly #entries = new Map<string, QObject>();
  /** The members in iteration order, once asked for: a message read once may be dispatched many times (a batch). */
  #ordered: ReadonlyArray<readonly [string, QObject]> | undefined;

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  get(key: string): QObject | undefined {
    return this.#entries.get(key);
  }

  put(key: string, value: QObject): void {
    this.#entries.set(key, value);
    this.#ordered = undefined;
  }

  /** Members in QDict iteration order. */
  entries(): ReadonlyArray<readonly [string, QObject]> {
    return (this.#ordered ??= qdictOrder([...this.#entries.keys()]).map((k) => [k, this.#entries.get(k)!] as const));
  }
}

/**
 * The plain value a command reads. Integers become numbers (as the visitors read them into
 * int64/uint64 fields, losing nothing a memory size needs); with `exact`, integers beyond 2^53
 * stay bigints so an echoed `id` is written back digit for digit.
 */
export function toPlain(value: QObject, exact = false): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof QNumber) {
    const { num } = value;
    if (num.kind === 'double') return num.value;
    return exact && (num.value > BigInt(Number.MAX_SAFE_INTEGER) || num.value < BigInt(Number.MIN_SAFE_INTEGER)) ? num.value : Number(num.value);
  }
  if (value instanceof QDict) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value.entries()) out[k] = toPlain(v, exact);
    return out;
  }
  return value.map((v) => toPlain(v, exact));
}
