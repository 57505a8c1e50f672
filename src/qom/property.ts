/**
 * Declarative property tables: one table per type is the whole public surface of that type.
 * Help output, -device/-object/-global parsing, compat properties and qom-get/qom-set all read
 * these entries; nothing else registers properties.
 */
import type { Arch } from '../core/arch.js';
import type { ScalarKind } from '../core/parse/input-visitor.js';
import { inWindow, type Release, type ReleaseWindow } from '../core/release.js';
import type { QomObject } from './object.js';
import type { PropertyInput } from './object-model.js';

/** A property's type: a scalar QEMU parses from text, or a reference to another object. */
export type PropertyType =
  | ScalarKind
  /** A strong link set by id (or path) before realize, e.g. `link<memory-backend>`. */
  | { readonly kind: 'link'; readonly target: string }
  /** A child object owned by this one, e.g. `child<virtio-mem>`; read-only. */
  | { readonly kind: 'child'; readonly target: string };

/** Values as qom-get returns them (a link or child reads as a canonical path, "" when unset). */
export type QomValue = boolean | number | string;

/** A value that changed between releases, newest entry winning. */
export type ReleaseHistory<T> = ReadonlyArray<{ readonly since: string; readonly value: T }>;

export interface PropertyDef extends ReleaseWindow {
  readonly name: string;
  readonly type: PropertyType;
  /** QEMU's description string as `-device X,help` prints it; may differ by release. */
  readonly description?: string | ReleaseHistory<string>;
  /**
   * The value before anything sets it; may change by release. For qdev fields it is QEMU's
   * defval, which help shows as "(default: ...)"; custom properties get it from instance_init.
   */
  readonly default?: QomValue | ReleaseHistory<QomValue>;
  /** Targets whose build has the property (absent: every target). */
  readonly targets?: readonly Arch[];
  /**
   * QEMU's two kinds of property: a qdev `field` (DEFINE_PROP_*), whose setter refuses after
   * realize unless allowed, and a `custom` instance property with its own getter/setter that
   * decides for itself.
   */
  readonly origin: 'field' | 'custom';
  /** qdev's realized_set_allowed. */
  readonly settableAfterRealize?: boolean;
  /** No setter at all: "Property '%s.%s' is not writable". */
  readonly readOnly?: boolean;
  /** Dynamic getter (e.g. block-size reporting its would-be default before realize). */
  readonly get?: (obj: QomObject) => QomValue;
  /**
   * What qom-get's output visitor makes of the value, for a getter that visits another QAPI type
   * than the scalar the model keeps (host-nodes keeps its command-line text, visits a uint16List).
   */
  readonly visit?: (value: QomValue) => unknown;
  /**
   * Dynamic setter run after the value parsed; it validates (throwing QEMU's message) and may
   * store elsewhere. Returning normally stores `value` unless it returns `{ stored: true }`.
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- setters that let the table store the value return nothing
  readonly set?: (obj: QomObject, value: QomValue) => void | { readonly stored: true };
  /**
   * The property's own visitor, for qdev property types whose PropertyInfo.set visits something
   * other than the scalar its type names (a PCI `addr` takes a string or an integer): turns the
   * input into the value to store, throwing QEMU's message. Replaces the scalar parse.
   */
  readonly parse?: (obj: QomObject, input: PropertyInput) => QomValue;
  /**
   * For a property whose setter refuses every value past 2^53 (all the sizes the model holds are
   * below it): throws the setter's own message for the exact value where it can tell it, instead
   * of hotmem's "beyond the modelled range"; returning leaves that error.
   */
  readonly refuseBeyondModel?: (obj: QomObject, exact: bigint) => void;
  /**
   * What the options visitor checks of an -object member's text beyond the scalar kind (the
   * ranges and elements of a list the model keeps as text), throwing QEMU's message; runs while
   * the option is parsed, so the error carries the option's location.
   */
  readonly optionSyntax?: (text: string) => void;
  /** The type string when QEMU's differs from the kind's usual one (object_property_add_str says `string`). */
  readonly typeName?: string;
  /** A member the QAPI schema requires when the object is created (-object, object-add). */
  readonly mandatory?: boolean;
  /**
   * Releases whose QAPI object schema still lists a read-only property as a member: -object and
   * object-add accept it, and setting it then fails as not writable (secret's loaded, 7.1-9.1).
   */
  readonly schemaMember?: ReleaseWindow;
  /** Help/listing visibility: QEMU hides some base properties from `-device X,help`. */
  readonly hiddenFromHelp?: boolean;
}

/** The type string QEMU shows for a property (`bool`, `uint32`, `size`, `OnOffAuto`, `link<...>`). */
export function typeString(def: Pick<PropertyDef, 'type' | 'typeName'>): string {
  if (def.typeName !== undefined) return def.typeName;
  const type = def.type;
  switch (type.kind) {
    case 'enum':
      return type.typeName;
    case 'link':
      return `link<${type.target}>`;
    case 'child':
      return `child<${type.target}>`;
    default:
      return type.kind === 'str' ? 'str' : type.kind;
  }
}

export const ON_OFF_AUTO: ScalarKind = { kind: 'enum', typeName: 'OnOffAuto', values: ['auto', 'on', 'off'] };

/** Whether -object and object-add (the QAPI ObjectOptions of 6.0+) take the property as a member. */
export function isObjectMember(def: PropertyDef, release: Release): boolean {
  if (def.hiddenFromHelp === true || def.type.kind === 'child') return false;
  return def.readOnly !== true || (def.schemaMember !== undefined && inWindow(release, def.schemaMember));
}
