/**
 * A schema-valid definition tree → the typed MachineDefinition. What the schema cannot say is
 * checked here, each problem at its position: sizes by QEMU's parser for the definition's own
 * release, libvirt sizes that are not whole numbers, -global text QEMU would refuse, storage keys
 * on a host that has none, and the migration destination (loaded through `loadDestination`).
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { Arch } from '../../core/arch.js';
import { HotmemError } from '../../core/errors.js';
import { sizeDialect, type SizeDialect } from '../../core/parse/size.js';
import { release, releaseName, type Release } from '../../core/release.js';
import { bytes, gpa, sizeText, type Bytes } from '../../core/units.js';
import type { Accelerator } from '../../machine/machine.js';
import { GUEST_PAGE_SIZE } from '../../guest/balloon/kernel-facts.js';
import { parseGlobalOption } from '../../qom/globals.js';
import type {
  Bounds,
  DeviceEntry,
  Expectation,
  GlobalEntry,
  BlockRegion,
  GuestAction,
  GuestDefinition,
  GuestRange,
  MachineDefinition,
  MachineSection,
  MemhpDefaultState,
  MemoryMeasure,
  NumaEntry,
  ObjectEntry,
  PropertyEntry,
  Step,
  TimedDuring,
} from './definition.js';
import { MEMORY_MEASURES } from './definition.js';
import { optsEscape } from './machine-options.js';
import { problem, type DefinitionProblem, type SourcePosition } from './errors.js';
import { definitionSize, expectedText, propertyText, type Parsed } from './sizes.js';
import { displayLabel, pointerSegment, type SourceTree } from './source-tree.js';

/** The tree's shape once the schema has passed it (keys as written in YAML). */
type Scalar = string | number | boolean;
type RawSize = number | string;
type RawProps = Readonly<Record<string, Scalar>>;
interface RawRange {
  readonly start: RawSize;
  readonly size: RawSize;
}
interface RawRegion {
  readonly block: string;
  readonly offset: RawSize;
  readonly size: RawSize;
}
interface RawDuring {
  readonly 'at-ms': number;
  readonly do: {
    readonly write?: RawRegion;
    readonly read?: RawRegion;
    readonly 'storage-keys'?: 'enable';
    readonly cmma?: RawRegion & { readonly usage: 'unused' | 'stable' };
    readonly 'host-reclaim'?: 'source' | 'destination';
  };
}
interface RawDefinition {
  readonly description?: string;
  readonly host: {
    readonly arch: Arch;
    readonly 'host-arch'?: Arch;
    readonly kernel: string;
    readonly qemu: string;
    readonly thp?: { readonly enabled?: 'always' | 'madvise' | 'never'; readonly 'use-zero-page'?: boolean };
    readonly 'pci-devices'?: ReadonlyArray<{ readonly address: string; readonly 'iommu-group'?: number; readonly sysfsdev?: string; readonly mdev?: boolean }>;
  };
  readonly machine?: {
    readonly type?: string;
    readonly accel?: Accelerator;
    readonly memory?: RawSize;
    readonly maxmem?: RawSize;
    readonly slots?: number;
    readonly 'memory-backend'?: string;
    readonly numa?: ReadonlyArray<{ readonly nodeid?: number; readonly memdev?: string; readonly mem?: RawSize }>;
    readonly properties?: RawProps;
  };
  readonly objects?: readonly RawProps[];
  readonly devices?: readonly RawProps[];
  readonly globals?: ReadonlyArray<string | { readonly driver: string; readonly property: string; readonly value: Scalar }>;
  readonly guest?: {
    readonly kernel: string;
    readonly 'memhp-default-state'?: MemhpDefaultState;
    readonly 'init-on-free'?: boolean;
    readonly workload?: { readonly used?: RawSize };
  };
  readonly steps?: ReadonlyArray<Readonly<Record<string, unknown>>>;
}
type RawBounds = Readonly<Partial<Record<'below' | 'at-most' | 'equals' | 'at-least' | 'above', RawSize>>>;

/** Loads a migration destination; undefined when it has problems (which it reports itself). */
export type DestinationLoader = (path: string, from: { readonly pointer: string; readonly position: SourcePosition }) => MachineDefinition | undefined;

const child = (pointer: string, key: string | number): string => `${pointer}/${typeof key === 'number' ? key : pointerSegment(key)}`;

class Builder {
  readonly problems: DefinitionProblem[] = [];
  readonly release: Release;
  readonly dialect: SizeDialect;

  constructor(
    readonly tree: SourceTree,
    readonly raw: RawDefinition,
    readonly loadDestination: DestinationLoader,
  ) {
    this.release = release(raw.host.qemu);
    this.dialect = sizeDialect(this.release);
  }

  at(pointer: string): SourcePosition {
    return this.tree.position(this.tree.spans.get(pointer)?.valueOffset ?? 0);
  }

  /** Where a map entry is written: its key. */
  keyAt(pointer: string): SourcePosition {
    const span = this.tree.spans.get(pointer);
    return this.tree.position(span?.keyOffset ?? span?.valueOffset ?? 0);
  }

  label(pointer: string): string {
    return displayLabel(this.tree.spans.get(pointer)?.label ?? '');
  }

  /**
   * A checked value, or a stand-in after reporting the problem: any problem discards the whole
   * definition, so the stand-in only lets the build go on to find the remaining problems.
   */
  checked<T>(parsed: Parsed<T>, raw: Scalar, pointer: string, standIn: T): T {
    if (parsed.ok) return parsed.value;
    this.problems.push(
      problem('definition.bad-size', { at: this.label(pointer), text: String(raw), reason: parsed.reason }, { position: this.at(pointer), pointer }),
    );
    return standIn;
  }

  size(raw: RawSize, pointer: string): Bytes {
    return this.checked(definitionSize(raw, this.dialect, releaseName(this.release)), raw, pointer, bytes(0));
  }

  optionalSize(raw: RawSize | undefined, pointer: string): Bytes | undefined {
    return raw === undefined ? undefined : this.size(raw, pointer);
  }

  props(entries: RawProps, pointer: string, skip: readonly string[]): PropertyEntry[] {
    return Object.entries(entries)
      .filter(([name]) => !skip.includes(name))
      .map(([name, value]) => {
        const p = child(pointer, name);
        return { name, value: this.checked(propertyText(value), value, p, ''), position: this.keyAt(p), pointer: p };
      });
  }

  definition(): MachineDefinition {
    const raw = this.raw;
    const h = raw.host;
    const thp =
      h.thp === undefined
        ? undefined
        : {
            ...(h.thp.enabled === undefined ? {} : { enabled: h.thp.enabled }),
            ...(h.thp['use-zero-page'] === undefined ? {} : { useZeroPage: h.thp['use-zero-page'] }),
          };
    return {
      file: this.tree.file,
      ...(raw.description === undefined ? {} : { description: raw.description }),
      host: {
        arch: h.arch,
        ...(h['host-arch'] === undefined ? {} : { hostArch: h['host-arch'] }),
        kernel: h.kernel,
        qemu: this.release,
        ...(thp === undefined ? {} : { thp }),
        ...(h['pci-devices'] === undefined
          ? {}
          : {
              pciDevices: h['pci-devices'].map((d) => ({
                address: d.address,
                ...(d['iommu-group'] === undefined ? {} : { iommuGroup: d['iommu-group'] }),
                ...(d.sysfsdev === undefined ? {} : { sysfsdev: d.sysfsdev }),
                ...(d.mdev === undefined ? {} : { mdev: d.mdev }),
              })),
            }),
        position: this.at('/host'),
      },
      machine: this.machine(),
      objects: (raw.objects ?? []).map((o, i) => this.object(o, child('/objects', i))),
      devices: (raw.devices ?? []).map((d, i) => this.device(d, child('/devices', i))),
      globals: (raw.globals ?? []).map((g, i) => this.global(g, child('/globals', i))),
      ...(raw.guest === undefined ? {} : { guest: this.guest(raw.guest) }),
      steps: (raw.steps ?? []).flatMap((s, i) => this.step(s, child('/steps', i)) ?? []),
    };
  }

  machine(): MachineSection {
    const m = this.raw.machine ?? {};
    const pointer = this.raw.machine === undefined ? '' : '/machine';
    const memoryKey = (['memory', 'maxmem', 'slots'] as const).find((k) => m[k] !== undefined);
    const numa = (m.numa ?? []).map((n, i): NumaEntry => {
      const p = child('/machine/numa', i);
      const mem = this.optionalSize(n.mem, child(p, 'mem'));
      return {
        ...(n.nodeid === undefined ? {} : { nodeid: n.nodeid }),
        ...(n.memdev === undefined ? {} : { memdev: n.memdev }),
        ...(mem === undefined ? {} : { mem }),
        position: this.at(p),
      };
    });
    const memory = this.optionalSize(m.memory, '/machine/memory');
    const maxmem = this.optionalSize(m.maxmem, '/machine/maxmem');
    return {
      ...(m.type === undefined ? {} : { type: m.type }),
      ...(m.accel === undefined ? {} : { accel: m.accel }),
      ...(memory === undefined ? {} : { memory }),
      ...(maxmem === undefined ? {} : { maxmem }),
      ...(m.slots === undefined ? {} : { slots: m.slots }),
      ...(m['memory-backend'] === undefined ? {} : { memoryBackend: m['memory-backend'] }),
      numa,
      properties: this.props(m.properties ?? {}, '/machine/properties', []),
      memoryPosition: this.at(memoryKey === undefined ? pointer : `/machine/${memoryKey}`),
      position: this.at(pointer),
    };
  }

  object(o: RawProps, pointer: string): ObjectEntry {
    return {
      type: o['type'] as string,
      id: o['id'] as string,
      props: this.props(o, pointer, ['type', 'id']),
      position: this.at(pointer),
      path: this.label(pointer),
    };
  }

  device(d: RawProps, pointer: string): DeviceEntry {
    const id = d['id'] as string | undefined;
    const bus = d['bus'] as string | undefined;
    return {
      driver: d['driver'] as string,
      ...(id === undefined ? {} : { id }),
      ...(bus === undefined ? {} : { bus }),
      props: this.props(d, pointer, ['driver', 'id', 'bus']),
      position: this.at(pointer),
      path: this.label(pointer),
    };
  }

  global(g: NonNullable<RawDefinition['globals']>[number], pointer: string): GlobalEntry {
    const position = this.at(pointer);
    if (typeof g !== 'string') {
      const value = this.checked(propertyText(g.value), g.value, child(pointer, 'value'), '');
      // The longhand form works for any driver name, dots included.
      return { text: `driver=${optsEscape(g.driver)},property=${optsEscape(g.property)},value=${optsEscape(value)}`, position };
    }
    try {
      parseGlobalOption(g, this.release);
    } catch (e) {
      if (!(e instanceof HotmemError)) throw e;
      this.problems.push(problem('definition.bad-global', { at: this.label(pointer), detail: e.message }, { position, pointer }));
    }
    return { text: g, position };
  }

  guest(g: NonNullable<RawDefinition['guest']>): GuestDefinition {
    const [major, minor] = g.kernel.split('.').map(Number) as [number, number];
    const used = g.workload?.used === undefined ? undefined : this.size(g.workload.used, '/guest/workload/used');
    return {
      kernel: { major, minor },
      ...(g['memhp-default-state'] === undefined ? {} : { memhpDefaultState: g['memhp-default-state'] }),
      initOnFree: g['init-on-free'] ?? false,
      ...(g.workload === undefined ? {} : { workload: used === undefined ? {} : { used } }),
      position: this.at('/guest'),
    };
  }

  range(r: RawRange, pointer: string): GuestRange {
    return { start: gpa(this.size(r.start, child(pointer, 'start'))), size: this.size(r.size, child(pointer, 'size')) };
  }

  /** The step; undefined only for a migration whose destination failed (and said why). */
  step(s: Readonly<Record<string, unknown>>, pointer: string): Step | undefined {
    // The schema admits exactly one key per step, and it names the step's kind.
    const [kind, body] = Object.entries(s)[0] as [Step['kind'], never];
    const p = child(pointer, kind);
    const position = this.at(pointer);
    switch (kind) {
      case 'set': {
        const b = body as { path: string; property: string; value: Scalar };
        return { kind, path: b.path, property: b.property, value: this.checked(propertyText(b.value), b.value, child(p, 'value'), ''), position };
      }
      case 'balloon':
        return { kind, target: this.size((body as { target: RawSize }).target, child(p, 'target')), position };
      case 'guest':
        return { kind, action: this.guestAction(body, p), position };
      case 'dump':
        return { kind, position };
      case 'storage-keys':
        if (this.raw.host.arch !== 's390x') {
          this.problems.push(problem('definition.needs-s390x', { at: this.label(pointer), arch: this.raw.host.arch }, { position: this.at(p), pointer: p }));
        }
        return { kind, position };
      case 'migrate': {
        const b = body as {
          to?: string;
          postcopy?: boolean;
          bandwidth?: RawSize;
          during?: readonly RawDuring[];
          'on-destination'?: ReadonlyArray<Readonly<Record<string, unknown>>>;
        };
        const bandwidth = this.optionalSize(b.bandwidth, child(p, 'bandwidth'));
        const during = (b.during ?? []).map((d, i) => this.during(d, child(child(p, 'during'), String(i))));
        const onDestination = (b['on-destination'] ?? []).flatMap((s, i) => this.step(s, child(child(p, 'on-destination'), String(i))) ?? []);
        const common = { kind, postcopy: b.postcopy ?? false, ...(bandwidth === undefined ? {} : { bandwidth }), during, onDestination, position };
        if (b.to === undefined) return common;
        const to = isAbsolute(b.to) ? b.to : join(dirname(this.tree.file), b.to);
        const toPointer = child(p, 'to');
        const destination = this.loadDestination(to, { pointer: toPointer, position: this.at(toPointer) });
        return destination === undefined ? undefined : { ...common, to, destination };
      }
      case 'object-add':
        return { kind, object: this.object(body, p), position };
      case 'device-add':
        return { kind, device: this.device(body, p), position };
      case 'device-del':
        return { kind, id: (body as { id: string }).id, position };
      case 'expect':
        return { kind, expectations: this.expectations(body, p), position };
      default: {
        const exhaustive: never = kind;
        return exhaustive;
      }
    }
  }

  during(d: RawDuring, pointer: string): TimedDuring {
    const region = (r: RawRegion, p: string): BlockRegion => ({
      block: r.block,
      offset: this.size(r.offset, child(p, 'offset')),
      size: this.size(r.size, child(p, 'size')),
    });
    const atMs = d['at-ms'];
    const a = d.do;
    const at = child(pointer, 'do');
    if (a.write) return { atMs, action: { kind: 'write', region: region(a.write, child(at, 'write')) } };
    if (a.read) return { atMs, action: { kind: 'read', region: region(a.read, child(at, 'read')) } };
    if (a.cmma) return { atMs, action: { kind: 'cmma', region: region(a.cmma, child(at, 'cmma')), usage: a.cmma.usage } };
    if (a['host-reclaim']) return { atMs, action: { kind: 'host-reclaim', side: a['host-reclaim'] } };
    // The schema admits exactly one action: what is left is storage-keys, which needs s390x.
    if (this.raw.host.arch !== 's390x') {
      const p = child(at, 'storage-keys');
      this.problems.push(problem('definition.needs-s390x', { at: this.label(pointer), arch: this.raw.host.arch }, { position: this.at(p), pointer: p }));
    }
    return { atMs, action: { kind: 'storage-keys' } };
  }

  guestAction(a: Readonly<Record<string, unknown>>, pointer: string): GuestAction {
    // The schema admits exactly one key per action, and it names the action's kind.
    const [kind, body] = Object.entries(a)[0] as [GuestAction['kind'], unknown];
    switch (kind) {
      case 'read-all':
      case 'remove-file':
        return { kind };
      case 'write-file': {
        const p = child(pointer, kind);
        const size = this.size(body as RawSize, p);
        // The guest's page allocator hands out whole pages: a file's RAM is counted in them.
        const whole: Parsed<Bytes> =
          size % GUEST_PAGE_SIZE === 0 ? { ok: true, value: size } : { ok: false, reason: `is not a whole number of ${sizeText(GUEST_PAGE_SIZE)} guest pages` };
        return { kind, size: this.checked(whole, body as RawSize, p, bytes(0)) };
      }
      default:
        return { kind, range: this.range(body as RawRange, child(pointer, kind)) };
    }
  }

  expectations(e: Readonly<Record<string, unknown>>, pointer: string): Expectation[] {
    return Object.entries(e).map(([key, body]): Expectation => {
      const p = child(pointer, key);
      const position = this.at(p);
      if ((MEMORY_MEASURES as readonly string[]).includes(key))
        return { kind: 'memory', measure: key as MemoryMeasure, bounds: this.bounds(body as RawBounds, p), position };
      switch (key) {
        case 'property': {
          const b = body as { path: string; property: string; equals: Scalar };
          return { kind: 'property', path: b.path, property: b.property, equals: this.expected(b.equals, child(p, 'equals')), position };
        }
        case 'event': {
          const b = body as { name: string; data?: RawProps };
          const data = Object.entries(b.data ?? {}).map(([name, value]) => ({ name, value: this.expected(value, child(child(p, 'data'), name)) }));
          return { kind: 'event', name: b.name, data, position };
        }
        case 'error':
          return { kind: 'error', message: body as string, position };
        case 'warning':
          return { kind: 'warning', message: body as string, position };
        case 'dmesg':
          return { kind: 'dmesg', contains: body as string, position };
        default:
          throw new Error(`internal: expectation '${key}' is in the schema but not built`);
      }
    });
  }

  expected(value: Scalar, pointer: string): string {
    return this.checked(expectedText(value, this.dialect, releaseName(this.release)), value, pointer, '');
  }

  bounds(b: RawBounds, pointer: string): Bounds {
    const get = (key: keyof RawBounds) => this.optionalSize(b[key], child(pointer, key));
    const [below, atMost, equals, atLeast, above] = [get('below'), get('at-most'), get('equals'), get('at-least'), get('above')];
    return {
      ...(below === undefined ? {} : { below }),
      ...(atMost === undefined ? {} : { atMost }),
      ...(equals === undefined ? {} : { equals }),
      ...(atLeast === undefined ? {} : { atLeast }),
      ...(above === undefined ? {} : { above }),
    };
  }
}

/** Builds the definition from a tree the schema accepted; problems are returned, never thrown. */
export function buildDefinition(
  tree: SourceTree,
  loadDestination: DestinationLoader,
): { readonly definition: MachineDefinition; readonly problems: readonly DefinitionProblem[] } {
  const builder = new Builder(tree, tree.value as RawDefinition, loadDestination);
  const definition = builder.definition();
  return { definition, problems: builder.problems };
}
