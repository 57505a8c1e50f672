/**
 * Reads compat/devices/ (written by scripts/device-data.ts from the real binaries): the device
 * list and property tables of one release and target. A release read from no binary has no
 * file; callers say so rather than answer with another release's table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../core/arch.js';
import { HotmemError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { processCache } from '../../core/process-cache.js';
import { releaseName, type Release } from '../../core/release.js';
import type { DeviceListing, PropertyRow, ReleaseDevices, TypeRow } from './format.js';
import { positionsFile, SharedTables, sharedTablesFile } from './shared-tables.js';

/** What device-list-properties knows of a type. */
export type DeviceProperties =
  | { readonly kind: 'table'; readonly rows: readonly PropertyRow[] }
  /** A module the binary could not load: QEMU's message. */
  | { readonly kind: 'unloadable'; readonly message: string };

/** One release and target's devices, as its binary reports them. */
export class DeviceData {
  /** Every type, for ancestry. */
  readonly #all: ReadonlyMap<string, TypeRow>;
  /** The types a fresh binary finds by name. */
  readonly #types: ReadonlyMap<string, TypeRow>;
  readonly #aliases: ReadonlyMap<string, string>;

  constructor(
    readonly data: ReleaseDevices,
    /** A table of the properties all releases share, by its key; undefined for a key it lacks. */
    private readonly sharedTable: (key: string) => readonly PropertyRow[] | undefined,
  ) {
    const unknown = new Set(data.unknownByName);
    this.#all = new Map(data.types.map((t) => [t[0], t]));
    this.#types = new Map(data.types.filter((t) => !unknown.has(t[0])).map((t) => [t[0], t]));
    this.#aliases = new Map(data.devices.flatMap((d) => (d.alias === undefined ? [] : [[d.alias, d.name] as const])));
  }

  get listing(): readonly DeviceListing[] {
    return this.data.devices;
  }

  /** qom-list-types' row (name, parent, abstract) of a type a fresh binary finds by name. */
  type(name: string): TypeRow | undefined {
    return this.#types.get(name);
  }

  /** object_class_dynamic_cast over the recorded parents. */
  isA(name: string, ancestor: string): boolean {
    for (let t = this.#all.get(name); t; t = t[1] === null ? undefined : this.#all.get(t[1])) if (t[0] === ancestor) return true;
    return false;
  }

  /** The type a `-device` alias names (`virtio-balloon` on x86_64 is virtio-balloon-pci). */
  aliasTarget(alias: string): string | undefined {
    return this.#aliases.get(alias);
  }

  /** DeviceClass.hotpluggable of a listed type, undefined where the binary could not be asked. */
  hotpluggable(name: string): boolean | undefined {
    return this.data.hotpluggable?.[name];
  }

  /**
   * The properties of a non-abstract device type, undefined for any other name. A table's rows
   * are read when first asked for: a type made from the data (a vCPU's, 500 rows) may never be.
   */
  properties(type: string): DeviceProperties | undefined {
    const entry = this.data.properties[type];
    if (entry === undefined) return undefined;
    if (typeof entry !== 'string') return { kind: 'unloadable', message: entry.error };
    const sharedTable = this.sharedTable;
    return {
      kind: 'table',
      get rows() {
        const rows = sharedTable(entry);
        if (rows === undefined) throw new Error(`internal: compat/devices/properties.json has no table ${entry} (for ${type})`);
        return rows;
      },
    };
  }
}

/**
 * Each release's data by root, target and release (null when it has none), and each root's
 * shared tables: immutable, so each file is read once. These caches are the module's only state
 * (process caches: the start-up snapshot keeps none of it).
 */
const releases = processCache<string, DeviceData | null>();
const shared = processCache<string, SharedTables>();

/** The release's data for `arch`, or undefined when no binary of that release was read. */
export function deviceData(release: Release, arch: Arch, root: string = packageRoot()): DeviceData | undefined {
  const name = `${arch}-${releaseName(release)}`;
  const key = `${root}\0${name}`;
  let data = releases.get(key);
  if (data === undefined) {
    const file = join(root, 'compat', 'devices', `${name}.json`);
    data = existsSync(file) ? new DeviceData(JSON.parse(readFileSync(file, 'utf8')) as ReleaseDevices, (table) => sharedTables(root).table(table)) : null;
    releases.set(key, data);
  }
  return data ?? undefined;
}

function sharedTables(root: string): SharedTables {
  let tables = shared.get(root);
  if (tables === undefined) shared.set(root, (tables = new SharedTables(sharedTablesFile(root), positionsFile(root))));
  return tables;
}

/** The refusal for a question only a release's device table answers. */
export const noDeviceTable = (release: Release): HotmemError =>
  new HotmemError('qom.no-device-table', `hotmem has no device table for release ${releaseName(release)}`, { release: releaseName(release) });
