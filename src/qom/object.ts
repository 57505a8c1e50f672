/**
 * An instance of a QOM type: its stored property values, its children, its place in the object
 * tree and whether it is realized. Behaviour lives in the type's table and hooks; runtime state
 * a device keeps is attached through typed slots.
 */
import { GHashOrder } from '../core/ghash-order.js';
import { KeyedSlots } from '../core/keys.js';
import type { ObjectModel } from './object-model.js';
import type { QomValue } from './property.js';
import type { PropertyOrigin } from './provenance.js';

export class QomObject {
  /** Values explicitly set; a property never set reads its (release-dependent) default. */
  readonly #values = new Map<string, QomValue>();
  /** Who set each stored value (absent: nothing did, the class default holds). */
  readonly #origins = new Map<string, PropertyOrigin>();
  readonly children: ReadonlyMap<string, QomObject> = new Map<string, QomObject>();
  /** The children's places in QEMU's property table: made on the first child, as most objects have none. */
  #childTable: GHashOrder | undefined;
  /** Runtime state owned by the type's implementation (device state, backend mapping, ...). */
  readonly slots = new KeyedSlots();
  parent: QomObject | undefined;
  nameInParent: string | undefined;
  realized = false;
  hotplugged = false;

  constructor(
    readonly type: string,
    readonly model: ObjectModel,
    /** The user-given id (-device id=, -object id=); undefined for anonymous objects. */
    public id?: string,
  ) {}

  /** QEMU's canonical path: /machine/peripheral/vm0, /objects/mem0, ... */
  path(): string {
    if (!this.parent) return '/';
    const parentPath = this.parent.path();
    return `${parentPath === '/' ? '' : parentPath}/${this.nameInParent!}`;
  }

  child(name: string): QomObject | undefined {
    return this.children.get(name);
  }

  addChild(name: string, child: QomObject): void {
    (this.children as Map<string, QomObject>).set(name, child);
    (this.#childTable ??= new GHashOrder()).insert(name);
  }

  removeChild(name: string): void {
    (this.children as Map<string, QomObject>).delete(name);
    this.#childTable?.remove(name);
  }

  /**
   * The children in the order QEMU walks them (object_child_foreach). Exact for containers, whose
   * table holds only children; other objects' tables also hold their instance properties, which
   * hotmem does not place.
   */
  childrenInTableOrder(): QomObject[] {
    return (this.#childTable?.keys() ?? []).map((name) => this.children.get(name)!);
  }

  /**
   * The value stored for a property, undefined when none was set. Private storage and this one
   * reader are what lets the model's watcher (stored-reads.ts) see every read.
   */
  stored(property: string): QomValue | undefined {
    this.model.reads?.read(this, property, this.#origins.get(property));
    return this.#values.get(property);
  }

  /** Every stored value, each read as `stored` reads one. */
  storedEntries(): Array<readonly [string, QomValue]> {
    const entries = [...this.#values];
    for (const [property] of entries) this.model.reads?.read(this, property, this.#origins.get(property));
    return entries;
  }

  /** Who set the stored value, undefined when nothing did; read as `stored` is. */
  storedOrigin(property: string): PropertyOrigin | undefined {
    this.model.reads?.read(this, property, this.#origins.get(property));
    return this.#origins.get(property);
  }

  /** Stores a value as its setter or realize decided it. */
  store(property: string, value: QomValue): void {
    this.#values.set(property, value);
  }

  setOrigin(property: string, origin: PropertyOrigin): void {
    this.#origins.set(property, origin);
  }

  /** Reads a property through the type's table (defaults, dynamic getters and aliases included). */
  get(property: string): QomValue {
    return this.model.getProperty(this, property);
  }
}
