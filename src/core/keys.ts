/**
 * Typed keys for context a layer attaches to something it does not own (a machine's services on
 * an object model, a device's runtime state on its QOM object), without module-level state.
 */
export interface Key<T> {
  readonly description: string;
  /** Never read: carries T so that lookups are typed. */
  readonly phantom?: T;
}

export const key = <T>(description: string): Key<T> => ({ description });

export class KeyedSlots {
  readonly #slots = new Map<Key<unknown>, unknown>();

  set<T>(k: Key<T>, value: T): void {
    this.#slots.set(k, value);
  }

  get<T>(k: Key<T>): T | undefined {
    return this.#slots.get(k) as T | undefined;
  }

  require<T>(k: Key<T>): T {
    if (!this.#slots.has(k)) throw new Error(`internal: '${k.description}' is not attached`);
    return this.#slots.get(k) as T;
  }

  delete<T>(k: Key<T>): void {
    this.#slots.delete(k);
  }
}
