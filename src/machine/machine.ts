/**
 * A Machine: one QEMU process's machine, assembled the way qemu_init does it. The machine type
 * and its compat properties come from the catalog, the family decides the memory layout, and
 * objects, NUMA nodes and devices are created in QEMU's order (late backends, then the board,
 * then -device). Every start-up error says which option caused it, as QEMU's location prefix does.
 */
import type { Arch } from '../core/arch.js';
import { SimulatedClock } from '../core/clock.js';
import { HotmemError, type Warning } from '../core/errors.js';
import { EventBus } from '../core/events.js';
import { Scheduler } from '../core/scheduler.js';
import { key } from '../core/keys.js';
import { compareReleases, release as parseRelease, type Release } from '../core/release.js';
import type { GlobalProperty } from '../qom/globals.js';
import { parseGlobalOption } from '../qom/globals.js';
import { ObjectModel, type PropertyInput } from '../qom/object-model.js';
import type { QomObject } from '../qom/object.js';
import type { TypeRegistry } from '../qom/registry.js';
import { BUS_ADDRESS, parseCssDevId, PCI_DEVFN_AUTO, pciSlot } from '../qom/qdev-address-props.js';
import { MEMORY_BACKEND_TYPE, MEMORY_BACKEND_USE } from './backend-use.js';
import { assignBusAddress, boardOccupants, pciDevPath, qdevDevPath, type BusOccupant, type PlugRequest } from './bus-address.js';
import { BusTree, selectBus, type NewBus } from './buses.js';
import { nicsWithoutPeer } from './nic-peers.js';
import { BACKEND_IDS, propertyOwner, type BackendIds } from '../qom/backend-refs.js';
import { controllerBuses, ideUnit, missingDrive, type ChildBusKind } from './child-buses.js';
import type { MachineCatalog, MachineTypeEntry } from './catalog.js';
import { placeMemoryDevice, type PlacedMemoryDevice } from './device-memory.js';
import { machineErrors } from './errors.js';
import { qomErrors } from '../qom/errors.js';
import { machineVersion, type MachineTypeReads } from './machine-type-reads.js';
import type { BusSpec, FirmwareBlock, MachineFamily, MachineVersion, MemoryLayout, PciDeviceMemory } from './family.js';
import { MEMORY_DEVICE_INTERFACE, MEMORY_DEVICE_OPS } from './memory-device.js';
import { freshHost, type Host } from '../host/host.js';
import { checkUnmodelledFeatures, isAmdCpu, x86CpuFacts, type CpuOption } from './x86-cpu.js';
import { tcgCpuModelRealize, x86Features } from './cpu-data/load.js';
import { realizeX86Features } from './x86-features.js';
import type { HostProcess } from '../host/process.js';
import type { RunState } from './run-state.js';
import { VM_IDENTITY, type VmIdentity } from './identity.js';
import { inCreationOrder } from './object-phase.js';
import { HOST_PROCESS } from './host-process.js';
import { MACHINE_BASE_TYPE } from './machine-type.js';
import { parseMemorySize, type MemorySize } from './memory-size.js';
import { completeNuma, parseNumaNode, type NumaNode } from './numa.js';
import { RAM_BLOCK, registerRam } from './ram-block.js';
import { ramList, type PlacedRamBlock } from './ram-list.js';
import { unplugRoute } from './unplug.js';
import { classCheckedAtLookup } from '../qom/hotplug-check.js';
import { bridgeErrors, bridgeRule, checkExpander, expanderBusPath, secondaryBusHotplug, type BridgeRule } from './pci-bridges.js';
import { deviceData } from '../qom/device-data/load.js';
import { parseBool } from '../core/parse/scalars.js';
import { initialRamPieces, type RamPiece } from './ram-map.js';
import { CpuNodeAssignment } from './numa-cpus.js';
import { computeTopology, possibleCpus, smpConfig, smpConfiguration, smpMachineRules, type CpuTopology, type PossibleCpu } from './smp.js';
import { cpuTypeName, createVcpus, vcpuSupportTypes, type Vcpu } from './vcpus.js';
import { machineCpuMax, machineDefaultCpuType } from './machine-info.js';
import { ramListeners } from './discard-coordination.js';

export type Accelerator = 'tcg' | 'kvm';

/** -overcommit mem-lock: whether (and how) the process locks its memory with mlockall. */
export type MemLock = 'off' | 'on' | 'on-fault';

/** A property value as written on the command line or in a definition. */
export type OptionProps = ReadonlyArray<{ readonly name: string; readonly value: string }>;

/** Device properties: text (`-device k=v`, keyval) or typed JSON (`-device {...}`, device_add). */
export type DeviceProps = ReadonlyArray<{ readonly name: string; readonly value: string } | { readonly name: string; readonly json: unknown }>;

/** One start-up option, in command-line order. `location` is QEMU's error prefix for it. */
export type StartupItem =
  | { readonly kind: 'object'; readonly type: string; readonly id?: string; readonly props: OptionProps; readonly location?: string }
  | {
      readonly kind: 'device';
      readonly driver?: string;
      readonly id?: string;
      readonly bus?: string;
      readonly props: DeviceProps;
      readonly location?: string;
    }
  | { readonly kind: 'numa'; readonly text: string; readonly location?: string }
  /**
   * A monitor the front end made and serves (11.1 files monitors under /objects): checked as
   * vl.c's monitor_init_opts checks it before it gets here.
   */
  | {
      readonly kind: 'monitor';
      readonly type: 'monitor-qmp' | 'monitor-hmp';
      readonly id: string;
      readonly props: OptionProps;
      /** Made by -object monitor-qmp (a late object) rather than by -mon, -qmp or -monitor. */
      readonly objectOption: boolean;
    };

export interface MachineOptions {
  readonly release: Release | string;
  readonly arch: Arch;
  /**
   * The host's architecture when it differs from the target's (qemu-system-s390x under TCG on an
   * x86_64 host): page and THP sizes and kernel facts are the host's. Default: `arch`.
   */
  readonly hostArch?: Arch;
  /** Machine type name or alias; the release's default when absent. */
  readonly machine?: string;
  readonly accel?: Accelerator;
  /** -cpu: the model and properties (x86_64: qemu64 when absent). */
  readonly cpu?: CpuOption;
  /** -mem-prealloc: every memory backend, the machine's own RAM included, preallocates by default. */
  readonly memPrealloc?: boolean;
  /**
   * -overcommit mem-lock (-realtime mlock before 7.2): `on` locks and populates all guest memory,
   * `on-fault` (10.0+) locks pages as they are touched. Default `off`.
   */
  readonly memLock?: MemLock;
  /** -mem-path: the machine's own RAM is a file there (a temporary one in a directory). */
  readonly memPath?: string;
  /** -machine properties other than type and accel (memory-backend, max-ram-below-4g, ...). */
  readonly machineProps?: OptionProps;
  /** The -smp members as given (and, from 7.2, -machine smp.X), in command-line order. */
  readonly smp?: OptionProps;
  /** The -m argument. */
  readonly memory?: string;
  readonly memoryLocation?: string;
  /** Where the machine type was given (the first -machine option), for the releases that say so. */
  readonly machineLocation?: string;
  /** -global arguments. */
  readonly globals?: readonly string[];
  /**
   * The devices QEMU adds without -nodefaults: the default VGA (off with -vga none) and NIC (off
   * with -nic none / -net none). Absent means none, as with -nodefaults. They take bus addresses
   * before any -device: on pc-q35-7.2 a first virtio-mem-pci lands at 03.0 instead of 01.0.
   */
  readonly defaultDevices?: { readonly vga?: boolean; readonly nic?: boolean };
  /** The host the QEMU process runs on; a default host of the target's architecture otherwise. */
  readonly host?: Host;
  /** -name and -uuid. */
  readonly identity?: VmIdentity;
  readonly items?: readonly StartupItem[];
  /** The backends devices may name (drive=, chardev=, netdev=, audiodev=); none when absent. */
  readonly backends?: BackendIds;
  /**
   * The first failure among the options QEMU acts on once the machine type is known (-smp and
   * -boot as machine properties, -rtc, chardevs, monitors), with the option it names if any.
   */
  readonly optionFailure?: { readonly error: HotmemError; readonly location: string | undefined };
}

/** Everything a Machine is built from besides the user's options. */
export interface MachineEnvironment {
  readonly registry: TypeRegistry;
  readonly catalog: MachineCatalog;
  readonly families: readonly MachineFamily[];
  /** Hears what the start reads of its machine type (a matrix memo recording a cell). */
  readonly reads?: MachineTypeReads;
}

/** A warning or notice, with the option it belongs to (QEMU prints `<prog>: <location>: warning: ...`). */
export interface LocatedWarning extends Warning {
  readonly location: string | undefined;
}

/** A start-up failure: QEMU's message and the option it is reported against. */
export class StartupError extends HotmemError {
  /** Warnings QEMU had already printed when it failed. */
  warningsBefore: readonly LocatedWarning[] = [];
  /**
   * A QMP monitor on stdio has sent its greeting when QEMU failed. The monitors exist from the end
   * of qemu_create_late_backends (after the -object backends), but each greets from its I/O
   * thread, racing the main thread: a failure right after (the machine's memory-backend, NUMA)
   * usually comes first; from the board's memory layout on, the greeting always does.
   */
  greeted = false;

  constructor(
    readonly original: HotmemError,
    readonly location: string | undefined,
  ) {
    super(original.code, original.message, original.details);
  }
}

function located<T>(location: string | undefined, step: () => T, withoutLocation: (e: HotmemError) => boolean = () => false): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof HotmemError && !(e instanceof StartupError)) throw new StartupError(e, withoutLocation(e) ? undefined : location);
    throw e;
  }
}

const keyvalInput = (value: string): PropertyInput => ({ source: 'text', text: value, visitor: 'keyval' });
/**
 * A -device or device_add value: parsed by the keyval visitor from 6.2, which builds devices from
 * a QDict; before, QemuOpts set each property with object_property_parse (the string visitor).
 */
const deviceInput = (r: Release, value: string): PropertyInput => ({
  source: 'text',
  text: value,
  visitor: compareReleases(r, { major: 6, minor: 2 }) >= 0 ? 'keyval' : 'string',
});
const optsInput = (value: string): PropertyInput => ({ source: 'text', text: value, visitor: 'opts' });

export interface StartedMachine {
  readonly machine: Machine;
  readonly warnings: readonly LocatedWarning[];
  /** Lines QEMU prints on stdout during start-up (qemu_printf). */
  readonly notices: readonly string[];
}

export class Machine {
  readonly buses: BusTree;
  /** The VM's run state; `running` is vm_running. Machines are created stopped. */
  runState: RunState = 'prelaunch';
  /** autostart: cleared by -S (and `stop` during an incoming migration); decides whether an incoming VM runs. */
  autostart = true;
  readonly clock = new SimulatedClock();
  /** Timed work of the machine and its guest: driver work items, retries, event throttling. */
  readonly scheduler = new Scheduler(this.clock);
  readonly events = new EventBus(this.clock, this.scheduler);
  readonly #deviceBus = new WeakMap<QomObject, BusSpec>();
  /** Addresses held by the board's own devices and QEMU's default devices, per bus. */
  readonly #fixedOccupants = new Map<BusSpec, BusOccupant[]>();
  /** The bus addDevice chose for the device being created, until its pre-plug takes it. */
  #pendingBus: BusSpec | undefined;
  /** What QEMU's default devices add to guest memory, in creation order. */
  readonly #defaultDeviceMemory: PciDeviceMemory[] = [];
  /** The memory backends that existed when the board was built: their RAMBlocks precede the firmware's. */
  readonly #bootBackends: ReadonlySet<QomObject>;
  /** What each PCI device's realize added to guest memory, in realize order. */
  readonly #pciMemory = new Map<QomObject, PciDeviceMemory>();
  /** The automatic numbers of controllers' buses so far, per bus type (qbus_init_internal's automatic_ids). */
  readonly #autoBusIds = new Map<ChildBusKind, number>();
  /** The controller device that created each child bus (the board's own have none). */
  readonly #busOwner = new Map<BusSpec, QomObject>();
  /** The buses controllers created (child-buses.ts), the board's first, in creation order. */
  readonly #childBuses: BusSpec[] = [];

  /** The IDE, USB, SCSI and virtio-serial buses the board's and the devices' controllers created. */
  get childBuses(): readonly BusSpec[] {
    return this.#childBuses;
  }

  get running(): boolean {
    return this.runState === 'running';
  }

  private constructor(
    readonly model: ObjectModel,
    readonly object: QomObject,
    /** What a machine reads of its catalog entry: the board asks the version through `version`. */
    readonly type: Pick<MachineTypeEntry, 'name' | 'family' | 'description' | 'deprecationReason'>,
    readonly family: MachineFamily,
    readonly version: MachineVersion,
    readonly accel: Accelerator,
    readonly memory: MemorySize,
    readonly layout: MemoryLayout,
    readonly numaNodes: readonly NumaNode[],
    /** The QEMU process on its host: every byte the machine costs is accounted there. */
    readonly process: HostProcess,
    /** The backends holding initial RAM, in RAM-offset order. */
    readonly ramBackends: readonly QomObject[],
    /** The machine types of this binary, for query-machines. */
    readonly catalog: MachineCatalog,
    readonly memLock: MemLock,
    readonly topology: CpuTopology,
    /** The possible CPUs in QEMU's order (possible_cpu_arch_ids). */
    readonly possibleCpus: readonly PossibleCpu[],
    /** The present vCPUs, by cpu-index. */
    readonly vcpus: readonly Vcpu[],
  ) {
    this.#bootBackends = new Set(model.objectsOfType('memory-backend'));
    const roots = family.rootBuses(version);
    this.buses = new BusTree(roots);
    const usb = object.get('usb') === true;
    for (const bus of roots) {
      if (!bus.addressing) continue;
      this.#fixedOccupants.set(bus, boardOccupants(bus.addressing, usb));
      if (bus.addressing.kind !== 'pci') continue;
      for (const f of [...bus.addressing.board, ...(usb ? bus.addressing.usb : [])]) {
        this.#childBuses.push(...controllerBuses({ type: f.type, id: undefined, companion: f.companion === true }, this.release, this.arch, this.#autoBusIds));
      }
    }
  }

  get release(): Release {
    return this.model.env.release;
  }

  /**
   * The RAMBlocks QEMU allocates itself besides memory backends, which migration sends besides
   * guest RAM, in creation order: the board's firmware, the option ROMs and video RAM of the
   * default devices and of the devices realized at start-up, the blobs the board adds at
   * machine-done (ACPI), then those of devices hotplugged since.
   */
  firmwareBlocks(): readonly FirmwareBlock[] {
    const board = this.family.firmwareBlocks?.(this.object, this.version, this.release) ?? { atInit: [], atMachineDone: [] };
    const devices = this.#pciDeviceMemory();
    const blocks = (hotplugged: boolean) => devices.filter((d) => d.hotplugged === hotplugged).flatMap((d) => d.memory.blocks);
    return [...board.atInit, ...blocks(false), ...board.atMachineDone, ...blocks(true)];
  }

  /**
   * Every RAMBlock in ram_list order with its ram_addr_t offset, as `info ramblock` lists them,
   * replayed in creation order: the backends that existed at board init (-object, then the
   * machine's own RAM backend), the firmware and device blocks, then backends created since
   * (object-add). Backends come in the order the host model mapped them, which is their
   * creation. A block freed since leaves no hole here, where QEMU's best fit may place a later
   * block in it: offsets after an unplug or object-del may differ.
   */
  ramBlocks(): readonly PlacedRamBlock[] {
    const backends = this.model
      .objectsOfType('memory-backend')
      .flatMap((b) => {
        const block = b.slots.get(RAM_BLOCK);
        if (!block) return [];
        const readOnly = this.model.view.properties(b.type).has('readonly') && b.get('readonly') === true;
        return [
          {
            boot: this.#bootBackends.has(b),
            entry: { idstr: block.idstr, pageSize: block.pageSize, usedLength: block.size, maxLength: block.size, readOnly, hva: block.mapping?.start },
          },
        ];
      })
      .sort((a, b) => (a.entry.hva ?? 0) - (b.entry.hva ?? 0));
    const pageSize = this.process.host.arch.basePageSize;
    return ramList([
      ...backends.filter((b) => b.boot).map((b) => b.entry),
      ...this.firmwareBlocks().map((b) => ({ ...b, pageSize, hva: undefined })),
      ...backends.filter((b) => !b.boot).map((b) => b.entry),
    ]);
  }

  /** Whether a display claims the legacy VGA window over guest RAM. */
  hasLegacyVgaWindow(): boolean {
    return this.#pciDeviceMemory().some((d) => d.memory.legacyVgaWindow);
  }

  #pciDeviceMemory(): readonly { readonly memory: PciDeviceMemory; readonly hotplugged: boolean }[] {
    const realized = [...this.#pciMemory].filter(([d]) => d.realized).map(([d, memory]) => ({ memory, hotplugged: d.hotplugged }));
    return [...this.#defaultDeviceMemory.map((memory) => ({ memory, hotplugged: false })), ...realized];
  }

  #initialRam: readonly RamPiece[] | undefined;

  /** Initial RAM's pieces of guest-physical memory (fixed once the machine is built). */
  get initialRam(): readonly RamPiece[] {
    return (this.#initialRam ??= initialRamPieces(this.layout, this.ramBackends));
  }

  get arch(): Arch {
    return this.model.env.target;
  }

  static start(options: MachineOptions, env: MachineEnvironment): StartedMachine {
    const warnings: LocatedWarning[] = [];
    const progress = { greeted: false };
    try {
      return Machine.#start(options, env, warnings, progress);
    } catch (e) {
      if (e instanceof StartupError) {
        e.warningsBefore = [...warnings];
        e.greeted = progress.greeted;
      }
      throw e;
    }
  }

  static #start(options: MachineOptions, env: MachineEnvironment, warnings: LocatedWarning[], progress: { greeted: boolean }): StartedMachine {
    const r = typeof options.release === 'string' ? parseRelease(options.release) : options.release;
    const warn = (location: string | undefined, list: readonly Warning[]) => warnings.push(...list.map((w) => ({ ...w, location })));

    // 6.0 reworked vl.c: -machine is merged into a dictionary before use, so QEMU reports its
    // errors without a location (before, select_machine restored the machine options' location),
    // and the memory-backend size check moved to machine_run_board_init.
    const reworkedVl = compareReleases(r, { major: 6, minor: 0 }) >= 0;
    const type = located(reworkedVl ? undefined : options.machineLocation, () => {
      const entry = options.machine === undefined ? env.catalog.defaultMachine(r, options.arch) : env.catalog.resolve(r, options.arch, options.machine);
      if (!entry) {
        throw machineErrors.error('machine.unsupported-type', { name: options.machine ?? '', named: compareReleases(r, { major: 9, minor: 1 }) >= 0 });
      }
      return entry;
    });
    const family = env.families.find((f) => f.name === type.family && f.arch === options.arch);
    if (!family || !type.version) {
      throw new StartupError(
        new HotmemError(
          'machine.family-not-modelled',
          `hotmem does not model machine type '${type.name}' (only ${env.families.map((f) => `${f.prefix}*`).join(', ')})`,
        ),
        undefined,
      );
    }
    if (options.optionFailure) throw new StartupError(options.optionFailure.error, options.optionFailure.location);
    const version = machineVersion(type.version, env.reads);
    const smpRules = smpMachineRules(family.name, version, r, type.name, machineCpuMax(type.family, version));
    const topologyOf = () => {
      const computed = located(undefined, () => computeTopology(smpConfig(options.smp ?? []), smpRules, r));
      warn(undefined, computed.warnings);
      return computed.topology;
    };
    // 6.0 moved -smp before -m: smp_parse ran after set_memory_options until then.
    const earlyTopology = reworkedVl ? topologyOf() : undefined;
    const machineTypeName = `${type.name}-machine`;
    const cpuType = options.cpu ? cpuTypeName(options.cpu.model, options.arch) : machineDefaultCpuType(type.family, version)!;
    const registry = env.registry.extended(
      ...[MACHINE_BASE_TYPE, ...family.supportTypes, family.baseType].filter((t) => !env.registry.info(t.name)),
      ...vcpuSupportTypes(env.registry.view({ release: r, target: options.arch }), cpuType, options.arch),
      {
        name: machineTypeName,
        parent: family.baseType.name,
        description: type.description,
      },
    );
    const model = new ObjectModel(registry, { release: r, target: options.arch });
    model.reads = env.reads;
    const accel = options.accel ?? 'tcg';
    // A fresh Linux host has no huge pages reserved (nr_hugepages=0) until someone configures them.
    const host = options.host ?? freshHost({ arch: options.hostArch ?? options.arch });
    if (options.hostArch !== undefined && host.arch.name !== options.hostArch) {
      throw new StartupError(
        new HotmemError('machine.host-arch', `the host given is ${host.arch.name}, not the ${options.hostArch} host asked for`),
        undefined,
      );
    }
    // A qemu-system-<arch> built for a host of another architecture has no KVM, so it refuses
    // the name as it refuses any accelerator it lacks (real 10.0.13 s390x on x86_64; -accel kvm
    // adds its option as the location, which hotmem does not).
    if (host.arch.name !== options.arch && accel === 'kvm') {
      throw new StartupError(new HotmemError('machine.host-arch', 'invalid accelerator kvm'), undefined);
    }
    const process = host.spawn({ name: programName(options.arch), kvm: accel === 'kvm' });
    model.services.set(HOST_PROCESS, process);
    model.services.set(VM_IDENTITY, options.identity ?? {});
    if (options.backends) model.services.set(BACKEND_IDS, options.backends);
    // -mem-prealloc registers a sugar property (object_register_sugar_prop): a default that an
    // explicit prealloc= on a backend still overrides.
    const sugar = options.memPrealloc === true ? [{ driver: 'memory-backend', property: 'prealloc', value: 'on' }] : [];
    model.compat = { accelerator: [], machine: env.catalog.compatProperties(r, options.arch, type.name), sugar };
    const machineObject = model.instantiate(machineTypeName).object;
    model.addInternal('/', 'machine', machineObject);
    // qemu_create_machine_containers: made with the machine, so qom-list finds them empty.
    for (const container of ['unattached', 'peripheral', 'peripheral-anon']) model.container(`/machine/${container}`);

    const memoryBackendId = options.machineProps?.find((p) => p.name === 'memory-backend')?.value;
    located(undefined, () => {
      for (const prop of options.machineProps ?? []) {
        if (prop.name !== 'memory-backend') warn(undefined, model.setProperty(machineObject, prop.name, keyvalInput(prop.value)));
      }
    });
    model.globals = (options.globals ?? []).map((text) =>
      located(`-global ${text}`, () => {
        const { global } = parseGlobalOption(text, r);
        // Without a value QEMU before 7.0 would set the property from a NULL string: not modelled.
        if (global.valueMissing && model.view.exists(global.driver) && model.view.isA(global.driver, 'device'))
          throw qomErrors.error('qom.global-no-value', global);
        return global;
      }),
    );

    const memoryParse = located(
      options.memoryLocation,
      () => parseMemorySize(options.memory, r, family.memoryRules(version)),
      (e) =>
        // From 7.1 the size rules run as the machine's "memory" property, outside -m's location.
        e.code.startsWith('machine.') && compareReleases(r, { major: 7, minor: 1 }) >= 0,
    );
    const topology = earlyTopology ?? topologyOf();
    if (model.view.properties(machineTypeName).has('smp')) machineObject.store('smp', JSON.stringify(smpConfiguration(topology, r)));
    // Once the machine's options (-m, -smp) are applied and before the late backends.
    if (type.deprecationReason !== undefined) {
      const deprecated = machineErrors.warning('machine.deprecated', { name: type.name, reason: type.deprecationReason });
      // qemu_init reported it with error_report until 6.0 made it a warn_report.
      warn(undefined, [compareReleases(r, { major: 6, minor: 0 }) >= 0 ? deprecated : { ...deprecated, reportedAsError: true }]);
    }
    // parse_cpu_option: its warnings and error, and the features as globals of the CPU type.
    if (options.cpu) {
      warn(undefined, options.cpu.warnings);
      if (options.cpu.error) throw new StartupError(options.cpu.error, undefined);
      model.globals = [...model.globals, ...options.cpu.props.map((p) => ({ driver: cpuType, property: p.name, value: p.value }))];
    }
    const notices = [...memoryParse.notices];
    let memory = memoryParse.memory;

    const items = options.items ?? [];
    // The objects, in the phases vl.c creates them in; hotmem makes the early ones with the late
    // (after the machine, before the board), which no modelled object can tell apart.
    for (const item of inCreationOrder(items.flatMap((i) => (i.kind === 'object' || i.kind === 'monitor' ? [i] : [])))) {
      if (item.kind === 'monitor') {
        model.addMonitor(
          item.type,
          item.id,
          item.props.map((p) => ({ name: p.name, input: optsInput(p.value) })),
        );
        continue;
      }
      located(item.location, () => {
        const { warnings: objectWarnings } = model.addObject(
          item.type,
          item.id,
          item.props.map((p) => ({ name: p.name, input: optsInput(p.value) })),
        );
        warn(item.location, objectWarnings);
      });
    }

    const backendUse = (backend: QomObject) => model.view.implementation(backend.type, MEMORY_BACKEND_USE);
    if (memoryBackendId !== undefined) {
      located(undefined, () => {
        const backend = model.resolvePath(memoryBackendId);
        if (!backend || !model.view.isA(backend.type, MEMORY_BACKEND_TYPE)) throw machineErrors.error('machine.backend-not-found', { id: memoryBackendId });
        model.setProperty(machineObject, 'memory-backend', keyvalInput(memoryBackendId));
        // Without an explicit -m, RAM takes the backend's size.
        if (options.memory === undefined)
          memory = { ...memory, ramSize: backend.get('size') as number, maxRamSize: Math.max(memory.maxRamSize, backend.get('size') as number) };
      });
    }

    let nodes: NumaNode[] = [];
    const cpuNodes = new CpuNodeAssignment(possibleCpus(topology, options.arch, r), topology.maxCpus);
    const numaRules = {
      supported: family.numaSupported,
      // Asked when read: only a legacy -numa node,mem= depends on the version.
      get legacyMemAllowed() {
        return family.legacyNumaMem(version);
      },
    };
    for (const item of items) {
      if (item.kind !== 'numa') continue;
      nodes = located(item.location, () => parseNumaNode(item.text, nodes, model, numaRules, r, cpuNodes));
    }

    // machine_run_board_init
    const auto = family.autoEnableNuma(version);
    const implicitNode = (memory.slots > 0 && auto.withMemhp) || (memory.maxRamSize > memory.ramSize && auto.withMemdev);
    nodes = located(undefined, () => completeNuma(nodes, memory.ramSize, family.numaSupported && implicitNode));
    // The backends of initial RAM in RAM-offset order (NUMA memdevs are laid out node by node).
    const ramBackends: QomObject[] = [];
    located(undefined, () => {
      if (memoryBackendId !== undefined && nodes.some((n) => n.memdev)) throw machineErrors.error('numa.memdev-and-machine-backend');
      const mainBackend = memoryBackendId === undefined ? undefined : model.resolvePath(memoryBackendId);
      if (mainBackend) {
        const use = backendUse(mainBackend);
        if (use && use.size(mainBackend) !== memory.ramSize) throw machineErrors.error('machine.backend-size-mismatch', { legacy: !reworkedVl });
        if (use?.isMapped(mainBackend)) throw machineErrors.error('machine.backend-reused', { id: memoryBackendId! });
        use?.setMapped(mainBackend, true);
        ramBackends.push(mainBackend);
      }
      for (const node of nodes) {
        if (!node.memdev) continue;
        const use = backendUse(node.memdev);
        if (use?.isMapped(node.memdev)) throw machineErrors.error('machine.backend-reused', { id: node.memdev.id ?? '' });
        use?.setMapped(node.memdev, true);
        ramBackends.push(node.memdev);
      }
      // Without memory-backend= or NUMA memdevs QEMU creates RAM's backend itself, as /objects/<ram id>
      // (create_default_memdev): a file backend on -mem-path, whose RAMBlock keeps the plain name
      // whatever the machine's compat properties say.
      if (!mainBackend && !nodes.some((n) => n.memdev) && registry.info('memory-backend-ram')) {
        const text = (value: string): PropertyInput => ({ source: 'text', text: value, visitor: 'string' });
        const { object } =
          options.memPath === undefined
            ? model.addObject('memory-backend-ram', family.defaultRamId, [{ name: 'size', input: text(String(memory.ramSize)) }])
            : model.addObject('memory-backend-file', family.defaultRamId, [
                { name: 'size', input: text(String(memory.ramSize)) },
                { name: 'mem-path', input: text(options.memPath) },
                { name: 'x-use-canonical-path-for-ramblock-id', input: text('off') },
              ]);
        backendUse(object)?.setMapped(object, true);
        ramBackends.push(object);
      }
    });
    // vmstate_register_ram_global: initial RAM's blocks keep their plain names (pc.ram, ram0, ...).
    for (const backend of ramBackends) {
      const block = backend.slots.get(RAM_BLOCK);
      if (block) registerRam(block, undefined);
    }
    const maxRamBelow4g = model.view.properties(machineTypeName).has('max-ram-below-4g') ? (machineObject.get('max-ram-below-4g') as number) : 0;
    progress.greeted = true;
    /**
     * What realizing the -cpu model prints: on x86_64 the model's and the option's feature flags
     * (x86-features.ts); otherwise, and for a model that does not expand (`host`), what the
     * release's binary printed under TCG (compat/cpus/). Under KVM that depends on the host CPU's
     * features, which hotmem does not model, and a release read from no binary has no record:
     * both print nothing here.
     */
    const features =
      options.cpu && options.arch === 'x86_64'
        ? located(undefined, () => {
            const data = x86Features(r);
            if (!data) {
              checkUnmodelledFeatures(options.cpu!, r);
              return undefined;
            }
            const recorded = accel === 'tcg' ? (tcgCpuModelRealize(r, options.arch, options.cpu!.model)?.warnings ?? []) : [];
            return realizeX86Features(
              data,
              recorded,
              options.cpu!,
              cpuType,
              accel,
              r,
              (name) =>
                // Only the legacy lists ask, so a -cpu without them never loads the type's table.
                model.view.properties(cpuType).get(name)?.def.type.kind,
            );
          })
        : undefined;
    const realizeCpuModel = () => {
      if (features) {
        warn(undefined, features.warnings);
        if (features.error) throw new StartupError(features.error, undefined);
        return;
      }
      if (!options.cpu || accel !== 'tcg') return;
      const realized = tcgCpuModelRealize(r, options.arch, options.cpu.model);
      if (!realized) return;
      warn(undefined, realized.warnings);
      const { error } = realized;
      if (error) throw new StartupError(error, undefined);
    };
    // machine_numa_finish_cpu_init, before the board creates its CPUs.
    const { slots, warnings: cpuNodeWarnings } = cpuNodes.finish(nodes.length);
    warn(undefined, cpuNodeWarnings);
    let vcpus: readonly Vcpu[] = [];
    // Each CPU's realize prints the model's TCG warnings again; the first one's also checks
    // that an AMD model can show more than one thread per core, which needs topoext (never
    // under TCG; what a KVM host offers is not modelled).
    const createCpus = () => {
      vcpus = located(undefined, () =>
        createVcpus(model, cpuType, slots, topology.cpus, host, options.arch, features?.values ?? [], (index) => {
          realizeCpuModel();
          if (index === 0 && options.arch === 'x86_64' && accel === 'tcg' && topology.threads > 1 && isAmdCpu(options.cpu, accel, host.x86Cpu)) {
            warn(undefined, [
              machineErrors.warning('cpu.amd-hyperthreading', { threads: topology.threads, oneLine: compareReleases(r, { major: 9, minor: 1 }) >= 0 }),
            ]);
          }
        }),
      );
    };
    // The CPUs are realized (x86_cpus_init) before pc_memory_init lays memory out against them.
    if (options.arch === 'x86_64') createCpus();
    const x86Cpu =
      options.arch === 'x86_64' ? located(undefined, () => x86CpuFacts(options.cpu, accel, host.x86Cpu, r, (w) => warn(undefined, [w]))) : undefined;
    const layout = located(undefined, () =>
      family.layout({ memory, version, release: r, machineName: type.name, maxRamBelow4g, ...(x86Cpu ? { x86Cpu } : {}) }),
    );
    warn(undefined, layout.warnings);
    // s390x's ccw_init realizes its CPUs (and checks their model) after memory.
    if (options.arch === 's390x') createCpus();

    const memLock = options.memLock ?? 'off';
    const machine = new Machine(
      model,
      machineObject,
      type,
      family,
      version,
      accel,
      memory,
      layout,
      nodes,
      process,
      ramBackends,
      env.catalog,
      memLock,
      topology,
      slots,
      vcpus,
    );
    model.services.set(MACHINE_SERVICE, machine);
    model.hotplugHandler = {
      prePlug: (device) => machine.#prePlug(device),
      plug: (device) => machine.#plugged(device, 'regionAdded'),
      unplug: (device) => machine.#plugged(device, 'regionRemoved'),
      busHotpluggable: (device) => machine.#busHotpluggable(device),
    };
    machine.#addDefaultDevices(options, items);

    const devices: QomObject[] = [];
    for (const item of items) {
      if (item.kind !== 'device') continue;
      const { device, warnings: deviceWarnings } = located(item.location, () => machine.addDevice(item));
      devices.push(device);
      warn(item.location, deviceWarnings);
    }
    model.machineReady = true;
    // os_mlock: MCL_CURRENT | MCL_FUTURE, so memory mapped later (hotplugged backends) is locked
    // too. QEMU locks before it creates the machine; locking once it exists leaves the same
    // memory, as virtio-mem, the one device that discards at realize, refuses a locked VM.
    if (memLock !== 'off') process.mlockall({ onFault: memLock === 'on-fault' });
    // qemu_machine_creation_done: without QEMU's default network, NICs without a netdev are
    // reported, then unused globals.
    if (options.defaultDevices?.nic !== true) warn(undefined, nicsWithoutPeer(devices));
    warn(undefined, model.unusedGlobalWarnings());
    return { machine, warnings, notices };
  }

  /** -device at start-up, device_add afterwards: bus selection, creation, realize, all or nothing. */
  addDevice(item: Extract<StartupItem, { kind: 'device' }>): { readonly device: QomObject; readonly warnings: readonly Warning[] } {
    let bus: BusSpec | undefined;
    let result: ReturnType<ObjectModel['addDevice']>;
    try {
      result = this.model.addDevice(
        item.driver,
        item.id,
        item.props.map((p) => ({ name: p.name, input: 'json' in p ? { source: 'json', json: p.json } : deviceInput(this.release, p.value) })),
        (driver, classCheck) => {
          if (bridgeRule(driver) === undefined && this.#bridgeLike(driver)) throw bridgeErrors.error('bridge.not-modelled', { driver });
          const busKind = this.model.view.ancestry(driver).find((t) => t.bus !== undefined)?.bus;
          bus = selectBus([...this.buses.searchOrder, ...this.#childBuses], this.model.view.info(driver)!, busKind, item.bus);
          if (this.model.machineReady) {
            classCheck();
            if (bus?.hotplug === 'none') throw machineErrors.error('bus.no-hotplug', { bus: bus.name });
          }
          // The device's pre-plug takes it: the bus places the device before it realizes.
          this.#pendingBus = bus;
        },
      );
    } finally {
      this.#pendingBus = undefined;
    }
    if (bus) this.#deviceBus.set(result.device, bus);
    const rule = bridgeRule(result.device.type);
    if (bus && rule) this.#addSecondaryBus(result.device, bus, rule);
    const device = result.device;
    const created = controllerBuses(
      { type: device.type, id: device.id, companion: device.stored('masterbus') !== undefined },
      this.release,
      this.arch,
      this.#autoBusIds,
    );
    for (const child of created) this.#busOwner.set(child, device);
    this.#childBuses.push(...created);
    return result;
  }

  /** A PCI bridge or expander bridge of the release (TYPE_PCI_BRIDGE, TYPE_PXB_DEV). */
  #bridgeLike(driver: string): boolean {
    const data = deviceData(this.release, this.arch);
    return data !== undefined && (data.isA(driver, 'base-pci-bridge') || data.isA(driver, 'pxb'));
  }

  /**
   * The bridge's realize creates its secondary bus, addressed below the bridge's own address; an
   * expander bridge's creates a root bus of its own (pxb's with its pci-bridge's bus behind it).
   */
  #addSecondaryBus(bridge: QomObject, parent: BusSpec, rule: BridgeRule): void {
    const address = bridge.slots.get(BUS_ADDRESS);
    if (address?.kind !== 'pci') throw new Error(`internal: bridge ${bridge.path()} has no PCI address`);
    const acpi = this.#acpiBridgeHotplug();
    const pci = (busPath: string, more: { readonly port?: boolean; readonly onlyBridges?: string } = {}) => ({
      kind: 'pci' as const,
      busPath,
      board: [],
      usb: [],
      ...more,
    });
    const add = (on: BusSpec, spec: Omit<BusSpec, 'name'>, how: Partial<NewBus>) => {
      const bus = this.buses.add(bridge, on, spec, { name: bridge.id, busClass: spec.kind.toLowerCase(), number: 0, hostRoot: false, ...how });
      this.#fixedOccupants.set(bus, boardOccupants(spec.addressing!, false));
      return bus;
    };
    if (rule.role !== 'expander') {
      const settings = { hotplug: this.#flag(bridge, 'hotplug'), shpc: this.#flag(bridge, 'shpc') };
      const hotplug = secondaryBusHotplug(rule, settings, acpi, this.release);
      add(parent, { kind: rule.secondary, hotplug, addressing: pci(address.devPath, rule.role === 'pcie-slot' ? { port: true } : {}) }, {});
      return;
    }
    const busNr = bridge.get('bus_nr') as number;
    const root = { number: busNr, hostRoot: true };
    const onlyBridges = pci(expanderBusPath(busNr), { onlyBridges: bridge.type });
    if (bridge.type === 'pxb-pcie') {
      add(parent, { kind: 'PCIE', hotplug: 'none', addressing: onlyBridges }, { ...root, busClass: 'pxb-pcie-bus' });
      return;
    }
    const internalBridge = { devfn: 0, type: 'pci-bridge', multifunction: false };
    const internal = add(parent, { kind: 'PCI', hotplug: 'none', addressing: { ...onlyBridges, board: [internalBridge] } }, { ...root, name: 'pxb-internal' });
    // Its pci-bridge has no SHPC, and the board's ACPI hotplug numbers only the buses below its
    // own root bus: the real 5.2 to 11.1 refuse device_add there.
    add(internal, { kind: 'PCI', hotplug: 'none', addressing: pci(pciDevPath(expanderBusPath(busNr), internalBridge.devfn)) }, {});
  }

  /** A boolean property of an opaque device, false where its type has none. */
  #flag(device: QomObject, property: string): boolean {
    return this.model.view.properties(device.type).has(property) && device.get(property) === true;
  }

  /**
   * Whether the board's ACPI hotplugs bridges' buses: its acpi-pci-hotplug-with-bridge-support,
   * on by default, as machine compat and -global leave it, and no ACPI at all with acpi=off.
   */
  #acpiBridgeHotplug(): boolean {
    const board = this.family.acpiBridgeHotplug;
    if (!board || (board.since && compareReleases(this.release, board.since) < 0)) return false;
    if (this.model.view.properties(this.object.type).has('acpi') && this.object.get('acpi') === 'off') return false;
    const property = 'acpi-pci-hotplug-with-bridge-support';
    const entries = [
      ...this.model.machineCompat(board.driver, property),
      ...this.model.globals.filter((g) => g.driver === board.driver && g.property === property),
    ];
    const last = entries.at(-1);
    if (last === undefined) return true;
    const parsed = parseBool(last.value, this.release);
    if (!parsed.ok) {
      throw new HotmemError('machine.board-property', `hotmem cannot read ${board.driver}.acpi-pci-hotplug-with-bridge-support=${last.value} as a boolean`, {
        driver: board.driver,
      });
    }
    return parsed.value;
  }

  /**
   * QEMU's default devices (vl.c default_vga / default_net): created with the board, so they
   * take the first free addresses before any -device. A -device of a VGA model replaces the
   * default VGA (vl.c default_list).
   */
  #addDefaultDevices(options: MachineOptions, items: readonly StartupItem[]): void {
    const wanted = options.defaultDevices ?? {};
    const userVga = items.some((i) => i.kind === 'device' && i.driver !== undefined && VGA_DEFAULT_DRIVERS.includes(i.driver));
    for (const device of this.family.defaultDevices(this.version)) {
      if (wanted[device.kind] !== true || (device.kind === 'vga' && userVga)) continue;
      const bus = this.buses.searchOrder.find((b) => b.name === device.bus);
      if (!bus?.addressing) continue;
      const fixed = this.#fixedOccupants.get(bus)!;
      const { address } = assignBusAddress(bus.addressing, { type: device.type, hotplugged: false }, fixed, this.release);
      fixed.push({ address, type: device.type, id: undefined, multifunction: false });
      if (address.kind === 'pci') this.#defaultDeviceMemory.push(this.#deviceMemory(device.type, address.devPath, (p) => this.#classDefault(device.type, p)));
    }
  }

  /** Everything holding an address on the bus: board functions, default devices, realized devices. */
  #occupants(bus: BusSpec): BusOccupant[] {
    const devices = this.model.objectsOfType('device').flatMap((d): BusOccupant[] => {
      const address = d.slots.get(BUS_ADDRESS);
      if (!address || !d.realized || this.#deviceBus.get(d) !== bus) return [];
      const multifunction = address.kind === 'pci' && this.model.view.properties(d.type).has('multifunction') && d.get('multifunction') === true;
      return [{ address, type: d.type, id: d.id, multifunction }];
    });
    return [...(this.#fixedOccupants.get(bus) ?? []), ...devices];
  }

  /**
   * The bus's half of realize (do_pci_register_device, css_create_sch): the device's address,
   * which the PCI `addr` property then reads, and its dev path.
   */
  #placeOnBus(device: QomObject, bus: BusSpec): Warning[] {
    if (bus.units !== undefined) {
      const taken = new Set(this.#devicesOn(bus).map((d) => d.get('unit') as number));
      device.store('unit', ideUnit(device.get('unit') as number, bus.units, taken));
    }
    if (!bus.addressing) return [];
    const props = this.model.view.properties(device.type);
    const request: PlugRequest =
      bus.addressing.kind === 'pci'
        ? {
            type: device.type,
            hotplugged: device.hotplugged,
            devfn: props.has('addr') ? (device.get('addr') as number) : PCI_DEVFN_AUTO,
            multifunction: props.has('multifunction') && device.get('multifunction') === true,
            bridge: deviceData(this.release, this.arch)?.isA(device.type, 'base-pci-bridge') === true,
            ...this.#express(device),
          }
        : { type: device.type, hotplugged: device.hotplugged, ...this.#requestedDevno(device) };
    const { address, warnings } = assignBusAddress(bus.addressing, request, this.#occupants(bus), this.release);
    // pci_qdev_realize adds the option ROM once the device is registered; a refusal there fails its realize.
    const read = (p: string) => (device.stored(p) !== undefined ? device.get(p) : this.#classDefault(device.type, p));
    if (address.kind === 'pci') this.#pciMemory.set(device, this.#deviceMemory(device.type, address.devPath, read));
    device.slots.set(BUS_ADDRESS, address);
    if (address.kind === 'pci' && props.has('addr')) device.store('addr', address.devfn);
    return [...warnings];
  }

  /**
   * Whether the device is PCI Express below a PCIe port: a modern virtio-pci device is
   * (virtio_pci_dc_realize, unless x-disable-pcie); of other types hotmem cannot tell.
   */
  #express(device: QomObject): Pick<PlugRequest, 'express'> {
    const virtio = this.model.view.isA(device.type, 'virtio-pci') || deviceData(this.release, this.arch)?.isA(device.type, 'virtio-pci') === true;
    if (!virtio) return {};
    return { express: !this.#flag(device, 'disable-modern') && !this.#flag(device, 'x-disable-pcie') };
  }

  /** A property's class default in this release, undefined when the type has no such property or no default. */
  #classDefault(type: string, property: string): unknown {
    const def = this.model.view.properties(type).get(property)?.def;
    return def && this.model.defaultOf(def);
  }

  #deviceMemory(type: string, devPath: string, read: (property: string) => unknown): PciDeviceMemory {
    // romsize's default, UINT32_MAX, means "the file's size rounded up".
    const UINT32_MAX = 2 ** 32 - 1;
    const romfile = read('romfile');
    const rombar = read('rombar');
    const romsize = read('romsize');
    const vgamem = read('vgamem_mb');
    const vgamemBytes = read('vgamem');
    return (
      this.family.pciDeviceMemory?.(
        {
          type,
          devPath,
          romfile: typeof romfile === 'string' ? romfile : undefined,
          rombar: typeof rombar === 'number' ? rombar : -1,
          romsize: typeof romsize === 'number' && romsize !== UINT32_MAX ? romsize : undefined,
          vgamemMb: typeof vgamem === 'number' ? vgamem : undefined,
          vgamemBytes: typeof vgamemBytes === 'number' ? vgamemBytes : undefined,
        },
        this.release,
      ) ?? { blocks: [], legacyVgaWindow: false }
    );
  }

  #requestedDevno(device: QomObject): Pick<PlugRequest, 'devno'> {
    const text = device.stored('devno');
    return typeof text === 'string' ? { devno: parseCssDevId(device.type, 'devno', text) } : {};
  }

  /** qdev_get_dev_path of a device: its bus address as the bus prints it, or undefined. */
  devPath(device: QomObject): string | undefined {
    return qdevDevPath(device);
  }

  busOf(device: QomObject): BusSpec | undefined {
    return this.#deviceBus.get(device);
  }

  /** Devices device_del asked the guest to eject, and whether each holds pending_deleted_event. */
  readonly #ejectRequests = new Map<QomObject, { readonly pending: boolean }>();
  readonly #ejectListeners = new Set<(device: QomObject) => void>();

  /**
   * device_del (qmp_device_del, qdev_unplug): the device must exist, not be in the process of
   * unplug already, sit on a hotpluggable bus and be hotpluggable; memory devices then ask their
   * own unplug_request. Then the hotplug handler either unplugs it at once or asks the guest to
   * eject it (unplug.ts): the device stays until a guest does (ejectDevice).
   */
  deleteDevice(id: string): void {
    const device = this.model.container('/machine/peripheral').child(id) ?? this.model.resolvePath(id);
    if (!device || !this.model.view.isA(device.type, 'device')) throw machineErrors.error('device.not-found', { id });
    if (this.unplugPending(device)) throw machineErrors.error('device.unplug-in-progress', { id });
    const bus = this.busOf(device);
    const hotplug = bus?.hotplug;
    const classCheck = () => {
      if (!this.model.view.hotpluggable(device.type)) throw machineErrors.error('device.no-hotplug', { type: device.type });
    };
    // The class before the bus from 10.0 (qdev_hotunplug_allowed), the bus first before.
    if (!classCheckedAtLookup(this.release)) classCheck();
    if (hotplug === 'none') throw machineErrors.error('bus.no-hotplug', { bus: bus?.name ?? '' });
    classCheck();
    if (this.model.view.isA(device.type, MEMORY_DEVICE_INTERFACE)) this.#ops(device).unplugRequest?.(device);
    if (hotplug === 'pcie-slot-off') throw bridgeErrors.error('pcie.hotunplug-off', { port: bus && this.buses.bridgeOf(bus)?.id });
    const route = unplugRoute(hotplug, this.release, this.#slotPowered(device));
    if (route.kind === 'immediate') {
      this.#unplug(device);
      return;
    }
    this.#ejectRequests.set(device, { pending: route.pending });
    for (const listener of this.#ejectListeners) listener(device);
  }

  /**
   * A hotplug slot's power (PCIe, SHPC): on at reset for the device there, and a modelled guest's
   * hotplug driver powers on the slot of a device plugged later.
   */
  #slotPowered(device: QomObject): boolean {
    return !device.hotplugged || this.#ejectListeners.size > 0;
  }

  /** DeviceState.pending_deleted_event: device_del asked the guest to eject it, and it has not yet. */
  unplugPending(device: QomObject): boolean {
    return this.#ejectRequests.get(device)?.pending === true;
  }

  /** Whether device_del asked the guest to eject the device (with or without the pending flag). */
  ejectRequested(device: QomObject): boolean {
    return this.#ejectRequests.has(device);
  }

  /** A guest's ACPI hotplug handler: told of each eject request; returns its unsubscription. */
  onEjectRequest(listener: (device: QomObject) => void): () => void {
    this.#ejectListeners.add(listener);
    return () => this.#ejectListeners.delete(listener);
  }

  /** The guest ejected a device it was asked to (acpi_pcihp_eject_slot, acpi_memory_eject): it is unplugged. */
  ejectDevice(device: QomObject): void {
    if (!this.#ejectRequests.delete(device)) throw new Error(`internal: ${device.path()} was not asked to be ejected`);
    this.#unplug(device);
  }

  /**
   * hotplug_handler_unplug and object_unparent. DEVICE_DELETED is sent as each device is
   * finalized, after an RCU grace period: after the command's reply, the proxy's virtio-backend
   * (no id) before the proxy (the real 5.2 to 11.1 with virtio-balloon-ccw).
   */
  /** The realized devices on a bus. */
  #devicesOn(bus: BusSpec): QomObject[] {
    return this.model.objectsOfType('device').filter((d) => d.realized && this.#deviceBus.get(d) === bus);
  }

  #unplug(device: QomObject): void {
    // A bridge's bus goes with it, and the devices on it first.
    for (const bus of this.buses.busesOf(device)) {
      for (const d of this.model.objectsOfType('device')) if (this.#deviceBus.get(d) === bus && d.realized) this.#unplug(d);
      this.buses.remove(bus);
      this.#fixedOccupants.delete(bus);
    }
    // A controller's buses go with it, and the devices on them first (qbus_unrealize).
    const owned = [...this.#busOwner].filter(([, owner]) => owner === device).map(([bus]) => bus);
    const onOwned = owned.flatMap((bus) => this.#devicesOn(bus));
    const deleted = [
      ...[...onOwned, ...realizedChildDevices(device)].map(deletedEvent),
      ...opaqueChildPaths(device).map((path) => ({ path })),
      deletedEvent(device),
    ];
    for (const d of [...onOwned, device]) this.#pciMemory.delete(d);
    for (const d of onOwned) this.model.remove(d);
    for (const bus of owned) {
      this.#busOwner.delete(bus);
      this.#childBuses.splice(this.#childBuses.indexOf(bus), 1);
    }
    this.model.remove(device);
    this.scheduler.after(0, () => {
      for (const data of deleted) this.events.emit('DEVICE_DELETED', data);
    });
  }

  /** memory_device_plug / memory_device_unplug: the device's region enters or leaves system memory, which RAM listeners see. */
  #plugged(device: QomObject, change: 'regionAdded' | 'regionRemoved'): void {
    if (!this.model.view.isA(device.type, MEMORY_DEVICE_INTERFACE)) return;
    for (const listener of [...ramListeners(this.model)]) listener[change](device);
  }

  /** qdev's hotpluggable property: the class says so and the bus has a hotplug handler. */
  #busHotpluggable(device: QomObject): boolean | undefined {
    const bus = this.busOf(device);
    return bus === undefined ? undefined : bus.hotplug !== 'none';
  }

  /** Realized memory devices, sorted by address (memory_device_build_list). */
  memoryDevices(): QomObject[] {
    return this.model
      .objectsOfType(MEMORY_DEVICE_INTERFACE)
      .filter((d) => d.realized)
      .sort((a, b) => this.#ops(a).addr(a) - this.#ops(b).addr(b));
  }

  /**
   * Whether the binary is built with memory-device support (CONFIG_MEM_DEVICE, selected by any
   * memory device type the target has): without it get_plugged_memory_size is the stub that
   * returns -1, and query-memory-size-summary leaves plugged-memory out. s390x builds had none
   * before virtio-mem-ccw (10.0); checked on the real 5.2.0, 7.2.22 and 10.0.13.
   */
  buildsMemoryDevices(): boolean {
    const view = this.model.view;
    return view.typeNames().some((t) => !view.isAbstract(t) && view.isA(t, MEMORY_DEVICE_INTERFACE));
  }

  /**
   * device_memory->dimm_size: what pc-dimms plug, NVDIMMs not counted (pc_dimm_plug; 7.2's
   * balloon summed the devices of type pc-dimm itself, to the same figure). Memory devices of
   * other kinds (virtio-mem) are not in it.
   */
  dimmSize(): number {
    return this.memoryDevices()
      .filter((d) => this.#ops(d).info(d).type === 'dimm')
      .reduce((sum, d) => sum + this.#ops(d).pluggedSize(d), 0);
  }

  /** get_plugged_memory_size: what memory devices currently contribute. */
  pluggedMemorySize(): number {
    return this.memoryDevices().reduce((sum, d) => sum + this.#ops(d).pluggedSize(d), 0);
  }

  #ops(device: QomObject) {
    const ops = this.model.view.implementation(device.type, MEMORY_DEVICE_OPS);
    if (!ops) throw new Error(`internal: ${device.type} is a memory device without memory-device ops`);
    return ops;
  }

  /**
   * Before a device realizes: the memory-device pre-plug (the machine's hotplug handler), then
   * the bus address (PCI registration comes first in the device's realize; real 7.2 reports a
   * misaligned memaddr before an occupied slot, and an occupied slot before a busy memdev).
   */
  #prePlug(device: QomObject): Warning[] {
    const bus = this.#pendingBus;
    this.#pendingBus = undefined;
    const warnings = this.#memoryDevicePrePlug(device);
    if (bus) {
      if (device.hotplugged && bus.hotplug === 'pcie-slot-off') throw bridgeErrors.error('pcie.hotplug-off', { port: this.buses.bridgeOf(bus)?.id });
      this.#deviceBus.set(device, bus);
      warnings.push(...this.#placeOnBus(device, bus));
      this.#bridgeRealize(device, bus);
      const address = device.slots.get(BUS_ADDRESS);
      if (bus.hotplug === 'shpc' && address?.kind === 'pci' && pciSlot(address.devfn) === 0) throw bridgeErrors.error('shpc.slot-0');
    }
    const noDrive = missingDrive(propertyOwner(device), device.stored('drive'));
    if (noDrive) throw noDrive;
    return warnings;
  }

  /** A bridge's own checks at realize (pci_bridge_dev_realize, the PCIe ports' realize). */
  #bridgeRealize(device: QomObject, bus: BusSpec): void {
    const rule = bridgeRule(device.type);
    if (rule?.role === 'expander') {
      checkExpander(device.type, device.get('bus_nr') as number, device.get('numa_node') as number, {
        parentKind: bus.kind,
        parentIsBoardRoot: this.buses.isBoardRoot(bus),
        numbersInUse: this.buses.numbersBelow(bus),
        numaNodes: this.numaNodes.length,
      });
    }
    if (rule?.role === 'shpc-bridge' && device.get('chassis_nr') === 0) throw bridgeErrors.error('bridge.no-chassis');
    if (rule?.role === 'pcie-slot') {
      const slotOf = (d: QomObject) => `${String(d.get('chassis'))}/${String(d.get('slot'))}`;
      const taken = this.model
        .objectsOfType('device')
        .some((d) => d !== device && d.realized && bridgeRule(d.type)?.role === 'pcie-slot' && slotOf(d) === slotOf(device));
      if (taken) throw bridgeErrors.error('bridge.chassis-slot-in-use');
    }
  }

  /** memory_device_pre_plug: region size, alignment, and a free address in device memory. */
  #memoryDevicePrePlug(device: QomObject): Warning[] {
    if (!this.model.view.isA(device.type, MEMORY_DEVICE_INTERFACE)) return [];
    const ops = this.#ops(device);
    const board = this.family.memoryDevicePrePlug?.(this.object, this.version, device) ?? {};
    ops.prePlug?.(device, { ramSlots: this.memory.slots });
    const size = ops.regionSize(device);
    const regionAlign = ops.regionAlignment(device);
    const align = board.legacyAlign ?? Math.max(ops.minAlignment?.(device) ?? 0, regionAlign);
    const r = this.release;
    const sizeAlign = compareReleases(r, { major: 9, minor: 0 }) >= 0 ? regionAlign : compareReleases(r, { major: 8, minor: 2 }) >= 0 ? undefined : align;
    const placed: PlacedMemoryDevice[] = this.memoryDevices()
      .filter((d) => d !== device)
      .map((d) => ({ id: d.id, addr: this.#ops(d).addr(d), size: this.#ops(d).regionSize(d) }));
    const hint = ops.addr(device);
    const placement = placeMemoryDevice({
      region: this.layout.deviceMemory,
      hint: hint === 0 ? undefined : hint,
      align,
      size,
      sizeAlign,
      placed,
      ramSize: this.memory.ramSize,
      maxRamSize: this.memory.maxRamSize,
      release: r,
    });
    ops.setAddr(device, placement.addr);
    return [...placement.warnings];
  }

  /** The compat entries this machine applies, in order. */
  compatProperties(): readonly GlobalProperty[] {
    return this.model.compat.machine;
  }
}

const programName = (arch: Arch) => `qemu-system-${arch}`;

/** vl.c default_list: -device drivers that replace the default VGA. */
const VGA_DEFAULT_DRIVERS: readonly string[] = [
  'VGA',
  'isa-vga',
  'cirrus-vga',
  'isa-cirrus-vga',
  'vmware-svga',
  'qxl-vga',
  'virtio-vga',
  'ati-vga',
  'vhost-user-vga',
  'virtio-vga-gl',
];

/** Lets device implementations reach the machine they are plugged into. */
export const MACHINE_SERVICE = key<Machine>('machine');

const deletedEvent = (d: QomObject) => ({ ...(d.id === undefined ? {} : { device: d.id }), path: d.path() });

/**
 * An opaque virtio proxy's virtio-backend is a row of its property table, not an object, but
 * QEMU finalizes it before the proxy all the same (real 10.0.13 with virtio-rng-ccw and -pci).
 */
function opaqueChildPaths(device: QomObject): string[] {
  const opaqueProxy = device.model.view.info(device.type)?.opaque === true && propertyOwner(device) !== device.type;
  return opaqueProxy && !device.children.has('virtio-backend') ? [`${device.path()}/virtio-backend`] : [];
}

/** A device's realized child devices, deepest first (finalized before their parent). */
function realizedChildDevices(device: QomObject): QomObject[] {
  return [...device.children.values()].flatMap((c) => (c.realized && device.model.view.isA(c.type, 'device') ? [...realizedChildDevices(c), c] : []));
}
