/**
 * A machine definition as the loader returns it: the YAML file's content, checked, with sizes
 * in bytes, property values as the text QEMU parses, steps as a closed union, and the position
 * of every entry so later failures (a property the object model refuses, an expectation that
 * does not hold) can point back into the file.
 *
 * The YAML format itself is specified by machine-definition.schema.json; its descriptions are
 * the user documentation. These types are its checked, typed form.
 */
import type { HostPciDevice } from '../../host/vfio.js';
import type { Arch } from '../../core/arch.js';
import type { Release } from '../../core/release.js';
import type { Bytes, Gpa } from '../../core/units.js';
import type { Accelerator } from '../../machine/machine.js';
import type { SourcePosition } from './errors.js';

/** A QOM property as QEMU's option parsers receive it: name and text. */
export interface PropertyEntry {
  readonly name: string;
  /** true/false already on/off, libvirt sizes already bytes; everything else as written. */
  readonly value: string;
  /** Where the property is written (its key). */
  readonly position: SourcePosition;
  /** JSON pointer of the property in the file (`/devices/0/requested-size`). */
  readonly pointer: string;
}

/** /sys/kernel/mm/transparent_hugepage settings that differ from the kernel's defaults. */
export interface ThpOverrides {
  readonly enabled?: 'always' | 'madvise' | 'never';
  readonly useZeroPage?: boolean;
}

/** The host: architecture, kernel profile and QEMU release (the `host` section). */
export interface HostDefinition {
  /** The guest's architecture (qemu-system-<arch>). */
  readonly arch: Arch;
  /** The host's, when it is not `arch` (a TCG guest of another architecture). */
  readonly hostArch?: Arch;
  /** Host kernel profile name, `linux-X.Y`. */
  readonly kernel: string;
  /** The QEMU release the host runs. */
  readonly qemu: Release;
  readonly thp?: ThpOverrides;
  /** The PCI devices VFIO may take (vfio-pci's host= and sysfsdev=). */
  readonly pciDevices?: readonly HostPciDevice[];
  readonly position: SourcePosition;
}

/** One -numa node. */
export interface NumaEntry {
  readonly nodeid?: number;
  readonly memdev?: string;
  /** Legacy `mem=`. */
  readonly mem?: Bytes;
  readonly position: SourcePosition;
}

/** -machine, -m and -numa. Absent fields take the machine type's defaults. */
export interface MachineSection {
  readonly type?: string;
  readonly accel?: Accelerator;
  readonly memory?: Bytes;
  readonly maxmem?: Bytes;
  readonly slots?: number;
  readonly memoryBackend?: string;
  readonly numa: readonly NumaEntry[];
  /** Other -machine properties. */
  readonly properties: readonly PropertyEntry[];
  /** Where -m's values were written (memory, else maxmem, else slots, else the section). */
  readonly memoryPosition: SourcePosition;
  readonly position: SourcePosition;
}

/** An -object (or object-add). */
export interface ObjectEntry {
  readonly type: string;
  readonly id: string;
  readonly props: readonly PropertyEntry[];
  readonly position: SourcePosition;
  /** Where users find it: `objects[0]`, `steps[3].object-add`. */
  readonly path: string;
}

/** A -device (or device_add). */
export interface DeviceEntry {
  readonly driver: string;
  readonly id?: string;
  readonly bus?: string;
  readonly props: readonly PropertyEntry[];
  readonly position: SourcePosition;
  /** Where users find it: `devices[0]`, `steps[1].device-add`. */
  readonly path: string;
}

/** A -global, as QEMU's text (maps are written in the longhand driver=,property=,value= form). */
export interface GlobalEntry {
  readonly text: string;
  readonly position: SourcePosition;
}

/** Linux kernel command line memhp_default_state. */
export type MemhpDefaultState = 'online' | 'online_kernel' | 'online_movable' | 'offline';

/** The modelled Linux guest (the `guest` section). */
export interface GuestDefinition {
  readonly kernel: { readonly major: number; readonly minor: number };
  readonly memhpDefaultState?: MemhpDefaultState;
  readonly initOnFree: boolean;
  readonly workload?: { readonly used?: Bytes };
  readonly position: SourcePosition;
}

/** A guest-physical range. */
export interface GuestRange {
  readonly start: Gpa;
  readonly size: Bytes;
}

/** What the guest does with its memory in a `guest` step. */
export type GuestAction =
  | { readonly kind: 'write'; readonly range: GuestRange }
  | { readonly kind: 'read'; readonly range: GuestRange }
  | { readonly kind: 'free'; readonly range: GuestRange }
  | { readonly kind: 'read-all' }
  /** The guest's tmpfs file is replaced by one of `size` bytes (LinuxGuest.files). */
  | { readonly kind: 'write-file'; readonly size: Bytes }
  | { readonly kind: 'remove-file' };

/** A byte range of one RAMBlock, by its idstr. */
export interface BlockRegion {
  readonly block: string;
  readonly offset: Bytes;
  readonly size: Bytes;
}

/** What the guest or a host does while a migration runs (src/migration/workload.ts). */
export type DuringAction =
  | { readonly kind: 'write'; readonly region: BlockRegion }
  | { readonly kind: 'read'; readonly region: BlockRegion }
  | { readonly kind: 'storage-keys' }
  | { readonly kind: 'cmma'; readonly region: BlockRegion; readonly usage: 'unused' | 'stable' }
  | { readonly kind: 'host-reclaim'; readonly side: 'source' | 'destination' };

export interface TimedDuring {
  /** Milliseconds of simulated time after the migration starts. */
  readonly atMs: number;
  readonly action: DuringAction;
}

/** What a memory expectation measures, named as in /proc/PID/status where it appears there. */
export const MEMORY_MEASURES = ['rss', 'rss-anon', 'rss-file', 'rss-shmem', 'hugetlb', 'page-tables', 'locked', 'host'] as const;
export type MemoryMeasure = (typeof MEMORY_MEASURES)[number];

/** Every bound given must hold. */
export interface Bounds {
  readonly below?: Bytes;
  readonly atMost?: Bytes;
  readonly equals?: Bytes;
  readonly atLeast?: Bytes;
  readonly above?: Bytes;
}

/** An expected value, as the text it is compared as (see `propertyMatches`). */
export interface ExpectedField {
  readonly name: string;
  readonly value: string;
}

/** One check of an `expect` step, on the machine as the step before left it. */
export type Expectation =
  | { readonly kind: 'memory'; readonly measure: MemoryMeasure; readonly bounds: Bounds; readonly position: SourcePosition }
  | { readonly kind: 'property'; readonly path: string; readonly property: string; readonly equals: string; readonly position: SourcePosition }
  | { readonly kind: 'event'; readonly name: string; readonly data: readonly ExpectedField[]; readonly position: SourcePosition }
  | { readonly kind: 'error'; readonly message: string; readonly position: SourcePosition }
  | { readonly kind: 'warning'; readonly message: string; readonly position: SourcePosition }
  | { readonly kind: 'dmesg'; readonly contains: string; readonly position: SourcePosition };

/** One scenario step; `kind` is the step's key in the file. */
export type Step =
  | {
      readonly kind: 'set';
      readonly path: string;
      readonly property: string;
      /** Text for QEMU's string input visitor, as HMP `qom-set path property value` passes it. */
      readonly value: string;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'balloon';
      /** The logical VM size (RAM minus balloon), as QMP `balloon` takes it. */
      readonly target: Bytes;
      readonly position: SourcePosition;
    }
  | { readonly kind: 'guest'; readonly action: GuestAction; readonly position: SourcePosition }
  | { readonly kind: 'dump'; readonly position: SourcePosition }
  | { readonly kind: 'storage-keys'; readonly position: SourcePosition }
  | {
      readonly kind: 'migrate';
      /** The destination file, resolved against this definition's directory; absent: this definition's machine. */
      readonly to?: string;
      readonly postcopy: boolean;
      /** Link bandwidth and max-bandwidth, bytes per second (absent: the runner's defaults). */
      readonly bandwidth?: Bytes;
      readonly during: readonly TimedDuring[];
      /** The destination, loaded and checked with this definition; absent: this definition without its steps. */
      readonly destination?: MachineDefinition;
      /** Steps run on the destination after the destination definition's own. */
      readonly onDestination: readonly Step[];
      readonly position: SourcePosition;
    }
  | { readonly kind: 'object-add'; readonly object: ObjectEntry; readonly position: SourcePosition }
  | { readonly kind: 'device-add'; readonly device: DeviceEntry; readonly position: SourcePosition }
  | { readonly kind: 'device-del'; readonly id: string; readonly position: SourcePosition }
  | { readonly kind: 'expect'; readonly expectations: readonly Expectation[]; readonly position: SourcePosition };

export type StepKind = Step['kind'];

/** A definition file's content, checked and typed. */
export interface MachineDefinition {
  /** The file as named to the loader; messages and relative migrate.to paths use it. */
  readonly file: string;
  readonly description?: string;
  readonly host: HostDefinition;
  readonly machine: MachineSection;
  readonly objects: readonly ObjectEntry[];
  readonly devices: readonly DeviceEntry[];
  readonly globals: readonly GlobalEntry[];
  readonly guest?: GuestDefinition;
  readonly steps: readonly Step[];
}
