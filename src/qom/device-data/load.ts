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
import { releaseName, type Release } from '../../core/release.js';
import type { DeviceListing, PropertyRow, ReleaseDevices, TypeRow } from './format.js';

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

  /** The properties of a non-abstract device type, undefined for any other name. */
  properties(type: string): DeviceProperties | undefined {
    const entry = this.data.properties[type];
    if (entry === undefined) return undefined;
    if (typeof entry !== 'string') return { kind: 'unloadable', message: entry.error };
    const rows = this.sharedTable(entry);
    if (rows === undefined) throw new Error(`internal: compat/devices/properties.json has no table ${entry} (for ${type})`);
    return { kind: 'table', rows };
  }
}

/**
 * The data by file (the shared tables, and each release's data as null when it has none). It is
 * immutable and about a megabyte in all, so each file is read once; this cache is the module's
 * only state.
 */
const cache = new Map<string, unknown>();

function cached<T>(path: string, read: () => T): T {
  if (!cache.has(path)) cache.set(path, read());
  return cache.get(path) as T;
}

/** The release's data for `arch`, or undefined when no binary of that release was read. */
export function deviceData(release: Release, arch: Arch, root: string = packageRoot()): DeviceData | undefined {
  const dir = join(root, 'compat', 'devices');
  const file = join(dir, `${arch}-${releaseName(release)}.json`);
  const shared = join(dir, 'properties.json');
  return (
    cached(file, () =>
      existsSync(file)
        ? new DeviceData(JSON.parse(readFileSync(file, 'utf8')) as ReleaseDevices, (key) =>
            cached(`${shared}#${key}`, () =>
              sharedTable(
                cached(shared, () => readFileSync(shared, 'utf8')),
                key,
              ),
            ),
          )
        : null,
    ) ?? undefined
  );
}

/**
 * One table of properties.json, parsed alone: the file is a megabyte of 845 tables, parsing it
 * whole cost every start that made a vCPU about 9 ms, and a start needs a few tables. The
 * generator writes each table as `"key": [` on a line of its own, one row per line, and `]` on
 * a line of its own (scripts/device-data.ts, document()).
 */
export function sharedTable(text: string, key: string): readonly PropertyRow[] | undefined {
  const opening = `\n${JSON.stringify(key)}: [`;
  const start = text.indexOf(opening);
  if (start < 0) return undefined;
  const body = start + opening.length - 1;
  const end = text.indexOf('\n]', body);
  return JSON.parse(text.slice(body, end + 2)) as readonly PropertyRow[];
}

/** The refusal for a question only a release's device table answers. */
export const noDeviceTable = (release: Release): HotmemError =>
  new HotmemError('qom.no-device-table', `hotmem has no device table for release ${releaseName(release)}`, { release: releaseName(release) });
