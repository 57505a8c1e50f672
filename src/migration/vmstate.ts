/**
 * Device state as QEMU's VMState describes it (include/migration/vmstate.h, migration/vmstate.c),
 * with one difference that matters: fields are named, never positional. QEMU reads a section's
 * fields in the order the *destination's* description lists them, so a mismatch silently
 * misreads the stream; here a missing field or an unread one is an explicit error.
 *
 * A device type contributes its sections through the VMSTATE key in its TypeInfo's
 * `implementations`; the migration engine never knows which device it is saving.
 */
import type { Warning } from '../core/errors.js';
import { key } from '../core/keys.js';
import type { Release } from '../core/release.js';
import type { QomObject } from '../qom/object.js';
import { migrationErrors } from './errors.js';

/**
 * QEMU's MigrationPriority (include/migration/vmstate.h, 7.2): sections are saved and loaded in
 * descending priority, registration order within one priority. Only the priority of the
 * *registered* description counts (savevm.c save_state_priority); a priority set on a nested
 * description, as virtio-mem sets MIG_PRI_VIRTIO_MEM on its vdc->vmsd, has no effect.
 */
export const MIG_PRI = Object.freeze({ DEFAULT: 0, IOMMU: 1, PCI_BUS: 2, VIRTIO_MEM: 3, GICV3_ITS: 4, GICV3: 5 } as const);
export type MigrationPriority = (typeof MIG_PRI)[keyof typeof MIG_PRI];

/** One field's value with its VMState type (which decides its size on the wire). */
export type VmField =
  | { readonly type: 'bool'; readonly value: number }
  | { readonly type: 'u8'; readonly value: number }
  | { readonly type: 'u32'; readonly value: number }
  | { readonly type: 'u64'; readonly value: bigint }
  /** VMSTATE_BITMAP: `bits` bits, sent as BITS_TO_U64S big-endian words (vmstate-types.c put_bitmap). */
  | { readonly type: 'bitmap'; readonly bits: number; readonly bytes: Uint8Array }
  /** A payload whose size hotmem knows but whose bytes it does not model (s390 storage key values). */
  | { readonly type: 'opaque'; readonly length: number }
  /** A nested description: VMSTATE_STRUCT, VMSTATE_WITH_TMP, VMSTATE_VIRTIO_DEVICE. */
  | { readonly type: 'struct'; readonly section: VmSection };

/** A description's saved contents: fields in wire order, then the subsections that were needed. */
export interface VmSection {
  readonly name: string;
  readonly version: number;
  readonly fields: Readonly<Record<string, VmField>>;
  readonly subsections: readonly VmSection[];
}

export const vmBool = (value: boolean): VmField => ({ type: 'bool', value: value ? 1 : 0 });
export const vmU8 = (value: number): VmField => ({ type: 'u8', value });
export const vmU32 = (value: number): VmField => ({ type: 'u32', value });
export const vmU64 = (value: number | bigint): VmField => ({ type: 'u64', value: BigInt(value) });
export const vmBitmap = (bits: number, bytes: Uint8Array): VmField => ({ type: 'bitmap', bits, bytes: bytes.slice() });
export const vmOpaque = (length: number): VmField => ({ type: 'opaque', length });
export const vmStruct = (section: VmSection): VmField => ({ type: 'struct', section });

export function vmSection(name: string, version: number, fields: Record<string, VmField>, subsections: readonly VmSection[] = []): VmSection {
  return { name, version, fields, subsections };
}

const FIELD_BYTES: Readonly<Record<'bool' | 'u8' | 'u32' | 'u64', number>> = { bool: 1, u8: 1, u32: 4, u64: 8 };

/** Bytes a description's contents take in the stream (subsection headers included). */
export function sectionBytes(section: VmSection): number {
  let n = 0;
  for (const field of Object.values(section.fields)) {
    if (field.type === 'bitmap') n += Math.ceil(field.bits / 64) * 8;
    else if (field.type === 'struct') n += sectionBytes(field.section);
    else if (field.type === 'opaque') n += field.length;
    else n += FIELD_BYTES[field.type];
  }
  // QEMU_VM_SUBSECTION, name length, name, version_id (vmstate.c vmstate_subsection_save).
  for (const sub of section.subsections) n += 1 + 1 + sub.name.length + 4 + sectionBytes(sub);
  return n;
}

/**
 * Named, typed access to an incoming section. It remembers what was read so the loader can
 * tell a destination that expects fewer fields than the source sent.
 */
export class VmReader {
  readonly #read = new Set<string>();
  readonly #children = new Map<string, VmReader>();

  constructor(readonly section: VmSection) {}

  get name(): string {
    return this.section.name;
  }

  u64(name: string): bigint {
    const f = this.#field(name, 'u64');
    return f.value;
  }

  /** A u64 that holds a size or an address (below 2^53 in every modelled machine). */
  size(name: string): number {
    return Number(this.u64(name));
  }

  u32(name: string): number {
    return this.#field(name, 'u32').value;
  }

  u8(name: string): number {
    return this.#field(name, 'u8').value;
  }

  bool(name: string): boolean {
    return this.#field(name, 'bool').value !== 0;
  }

  bitmap(name: string): { readonly bits: number; readonly bytes: Uint8Array } {
    const f = this.#field(name, 'bitmap');
    return { bits: f.bits, bytes: f.bytes };
  }

  opaque(name: string): number {
    return this.#field(name, 'opaque').length;
  }

  struct(name: string): VmReader {
    const section = this.#field(name, 'struct').section;
    return this.#child(name, section);
  }

  /** A subsection the source sent, if it did (QEMU sends one only when its `needed` says so). */
  subsection(name: string): VmReader | undefined {
    const sub = this.section.subsections.find((s) => s.name === name);
    return sub ? this.#child(`[${name}]`, sub) : undefined;
  }

  /**
   * Fields nobody read, nested ones as `outer.inner`: the source sent them and this destination's
   * description has no place for them.
   */
  unread(): string[] {
    const own = Object.keys(this.section.fields).filter((name) => !this.#read.has(name));
    const nested = [...this.#children].flatMap(([name, child]) => child.unread().map((f) => `${name}.${f}`));
    return [...own, ...nested];
  }

  #child(name: string, section: VmSection): VmReader {
    let child = this.#children.get(name);
    if (!child) this.#children.set(name, (child = new VmReader(section)));
    return child;
  }

  #field<T extends VmField['type']>(name: string, type: T): Extract<VmField, { type: T }> {
    const f = this.section.fields[name];
    if (!f || f.type !== type) throw migrationErrors.error('migration.field-missing', { section: this.section.name, field: name, expected: type });
    this.#read.add(name);
    return f as Extract<VmField, { type: T }>;
  }
}

/** What a loading device may need to know about the incoming migration. */
export interface LoadContext {
  /**
   * Where the incoming side is: `none` without postcopy; `advised` once the source asked for it
   * (migration_incoming_postcopy_advised); `active` while postcopy runs
   * (migration_in_incoming_postcopy), which is when a postcopy migration's device state loads.
   */
  readonly postcopy: 'none' | 'advised' | 'active';
  /** The destination's QEMU release. */
  readonly release: Release;
}

/**
 * One registered VMStateDescription (vmstate_register / dc->vmsd). `check` is every test
 * QEMU's load makes before it changes anything, `apply` the changes and post_load effects; the
 * engine loads a section as check-then-apply, and predicts a migration with `check` alone.
 */
export interface VmStateDescription {
  readonly name: string;
  readonly version: number;
  readonly minVersion: number;
  readonly priority: MigrationPriority;
  /** early_setup (8.0+): saved and loaded in the setup phase, before any RAM page is sent. */
  readonly earlySetup: boolean;
  /** Whether this instance registers the section (some are registered only with a property set). */
  registered(obj: QomObject): boolean;
  save(obj: QomObject): VmSection;
  /** Throws a HotmemError with QEMU's message if the destination cannot take the section; changes nothing. */
  check(obj: QomObject, incoming: VmReader, ctx: LoadContext): void;
  /** Loads a checked section: state, then post_load effects. Returns warn_report output. */
  apply(obj: QomObject, incoming: VmReader, ctx: LoadContext): readonly Warning[];
}

/** The sections a device type registers, in registration order. */
export const VMSTATE = key<readonly VmStateDescription[]>('vmstate');
