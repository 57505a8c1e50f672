/**
 * The object model of one QEMU process: the object tree, object creation with QEMU's ordering
 * of compat and global properties, property access with QEMU's parsing and messages, realize and
 * unrealize, and the qom-list/qom-get/qom-set view of it all.
 *
 * Every mutating entry point either completes or leaves the model exactly as it was: values are
 * parsed and validated before anything is stored, and a device that fails to realize is removed.
 */
import { HotmemError, type Warning } from '../core/errors.js';
import { KeyedSlots } from '../core/keys.js';
import { BeyondModelRange, parseScalar, type InputVisitor, type ScalarKind } from '../core/parse/input-visitor.js';
import { compareReleases, releaseName, valueAt } from '../core/release.js';
import { deviceData } from './device-data/load.js';
import { qomErrors } from './errors.js';
import { classCheckedAtLookup } from './hotplug-check.js';
import { NO_COMPAT, type CompatLayers, type GlobalProperty } from './globals.js';
import { QomObject } from './object.js';
import type { PropertyDef, QomValue, ReleaseHistory } from './property.js';
import { CLASS_DEFAULT, EXPLICIT, type PropertyOrigin } from './provenance.js';
import { typeString } from './property.js';
import type { QomEnv, RegistryView, ResolvedProperty, TypeRegistry } from './registry.js';
import type { StoredReads } from './stored-reads.js';

/** The machine's hotplug handler (pre_plug / plug / unplug), consulted around device realize. */
export interface HotplugHandler {
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- hooks without warnings return nothing
  prePlug?(device: QomObject): readonly Warning[] | void;
  plug?(device: QomObject): void;
  unplug?(device: QomObject): void;
  /**
   * qbus_is_hotpluggable of the bus the device sits on; undefined for a device on no bus the
   * handler placed (a proxy's virtio-backend, a bare object model).
   */
  busHotpluggable?(device: QomObject): boolean | undefined;
}

/** A property value as it arrives: text from the command line, or typed JSON from QMP. */
export type PropertyInput =
  { readonly source: 'text'; readonly text: string; readonly visitor: InputVisitor } | { readonly source: 'json'; readonly json: unknown };

export interface QomListEntry {
  readonly name: string;
  readonly type: string;
}

const parseError = (property: string, expects: string) =>
  new HotmemError('parse.invalid-parameter-value', `Parameter '${property}' expects ${expects}`, { name: property, expects });

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.-]*$/;

function isHistory<T>(value: T | ReleaseHistory<T> | undefined): value is ReleaseHistory<T> {
  return Array.isArray(value);
}

export class ObjectModel {
  readonly view: RegistryView;
  readonly root: QomObject;
  /** Services the machine layer provides to device implementations. */
  readonly services = new KeyedSlots();
  compat: CompatLayers = NO_COMPAT;
  globals: readonly GlobalProperty[] = [];
  hotplugHandler: HotplugHandler | undefined;
  /** Who watches reads of stored values (a matrix memo recording a cell); none on the normal path. */
  reads: StoredReads | undefined;
  /** Set once the machine is running: later device additions are hotplugs. */
  machineReady = false;
  readonly #usedGlobals = new Set<GlobalProperty>();
  #anonymousDevices = 0;
  #unattached = 0;

  constructor(
    registry: TypeRegistry,
    readonly env: QomEnv,
  ) {
    this.view = registry.view(env);
    this.root = new QomObject('container', this);
  }

  // ---- the tree -------------------------------------------------------------------------

  /** container_get: the container at `path`, created on the way if missing. */
  container(path: string): QomObject {
    let node = this.root;
    for (const part of path.split('/').filter(Boolean)) {
      let next = node.child(part);
      if (!next) {
        next = new QomObject('container', this);
        this.#attach(node, part, next);
      }
      node = next;
    }
    return node;
  }

  #attach(parent: QomObject, name: string, child: QomObject): void {
    if (parent.children.has(name)) {
      throw qomErrors.error('qom.duplicate-child', { name, parentType: parent.type });
    }
    parent.addChild(name, child);
    child.parent = parent;
    child.nameInParent = name;
  }

  #detach(obj: QomObject): void {
    if (obj.parent && obj.nameInParent !== undefined) obj.parent.removeChild(obj.nameInParent);
    obj.parent = undefined;
    obj.nameInParent = undefined;
  }

  /**
   * object_resolve_path: an absolute path, or a partial one matched against the end of every
   * canonical path, which must then be unique.
   */
  resolvePath(path: string): QomObject | undefined {
    if (path.startsWith('/')) {
      let node: QomObject | undefined = this.root;
      for (const part of path.split('/').filter(Boolean)) node = node?.child(part);
      return node;
    }
    const matches = this.#objects().filter((obj) => {
      const own = obj.path();
      return own === `/${path}` || own.endsWith(`/${path}`);
    });
    if (matches.length > 1) throw qomErrors.error('qom.path-ambiguous', { path });
    return matches[0];
  }

  /** Tree order (an object, then each child's subtree); one array, as every lookup walks the whole tree. */
  #objects(from: QomObject = this.root, into: QomObject[] = []): QomObject[] {
    into.push(from);
    for (const child of from.children.values()) this.#objects(child, into);
    return into;
  }

  /** Every object of (or derived from) a type, in tree order. */
  objectsOfType(type: string): QomObject[] {
    return this.#objects().filter((obj) => this.view.isA(obj.type, type));
  }

  // ---- creation -------------------------------------------------------------------------

  /**
   * object_new: instance init (children first, each fully post-initialised), then this
   * object's post-init, which applies compat and, for devices, global properties.
   */
  instantiate(type: string): { readonly object: QomObject; readonly warnings: readonly Warning[] } {
    const obj = new QomObject(type, this);
    const warnings: Warning[] = [];
    for (const childDef of this.view.children(type)) {
      const child = this.instantiate(childDef.type);
      warnings.push(...child.warnings);
      this.#attach(obj, childDef.name, child.object);
    }
    const postInit = this.view.hook(type, 'postInit');
    if (postInit !== undefined) {
      // Compat entries are QEMU's own data: a failure here is error_abort in QEMU, a bug here.
      for (const layer of ['accelerator', 'machine', 'sugar'] as const) this.#applyGlobals(obj, this.compat[layer], layer);
      if (postInit === 'compat-and-globals') warnings.push(...this.#applyGlobals(obj, this.globals, 'global'));
    }
    return { object: obj, warnings };
  }

  #applyGlobals(obj: QomObject, entries: readonly GlobalProperty[], layer: keyof CompatLayers | 'global'): Warning[] {
    const kind = layer === 'global' ? 'global' : 'compat';
    const warnings: Warning[] = [];
    for (const entry of this.view.applicable(obj.type, entries)) {
      if (entry.optional && !this.view.properties(obj.type).has(entry.property)) continue;
      if (kind === 'global') this.#usedGlobals.add(entry);
      // Compat arrays name properties of types (and releases) hotmem may not model in full;
      // such entries are skipped, and reported by compatCoverage() rather than at run time.
      if (kind === 'compat' && !this.view.properties(obj.type).has(entry.property)) continue;
      if (kind === 'compat' && this.reads !== undefined) this.#readBySetter(obj, entry.property);
      try {
        const origin: PropertyOrigin =
          layer === 'global'
            ? { kind: 'global', driver: entry.driver, value: entry.value }
            : { kind: 'compat', layer, ...(entry.source ? { source: entry.source } : {}) };
        this.setProperty(obj, entry.property, { source: 'text', text: entry.value, visitor: 'string' }, origin);
      } catch (e) {
        if (!(e instanceof HotmemError)) throw e;
        const wrapped = qomErrors.error('qom.global-cannot-apply', { ...entry, reason: e.message });
        // Fatal for cold-plugged devices; hotplugged ones only warn (qdev_prop_set_globals).
        if (kind === 'compat' || !this.machineReady) throw wrapped;
        warnings.push({ code: wrapped.code, message: wrapped.message });
      }
    }
    return warnings;
  }

  /** A compat value goes through the property's own code (setter, parser) as it is applied: that is a read. */
  #readBySetter(obj: QomObject, property: string): void {
    const resolved = this.view.properties(obj.type).get(property);
    if (resolved !== undefined && (resolved.home.kind === 'alias' || resolved.def.set !== undefined || resolved.def.parse !== undefined))
      this.reads?.read(obj, property, undefined);
  }

  /** The machine compat entries naming exactly this driver and property, in application order. */
  machineCompat(driver: string, property: string): readonly GlobalProperty[] {
    this.reads?.compatLookup(driver, property);
    return this.compat.machine.filter((g) => g.driver === driver && g.property === property);
  }

  /** qdev_prop_check_globals: -global entries no object used, for non-hotpluggable devices. */
  unusedGlobalWarnings(): Warning[] {
    const warnings: Warning[] = [];
    for (const entry of this.globals) {
      if (this.#usedGlobals.has(entry)) continue;
      if (!this.view.exists(entry.driver) || !this.view.isA(entry.driver, 'device')) {
        warnings.push(qomErrors.warning('qom.global-invalid-class', entry));
        continue;
      }
      if (this.view.info(entry.driver)?.hotpluggable !== true) warnings.push(qomErrors.warning('qom.global-not-used', entry));
    }
    return warnings;
  }

  /**
   * qdev_device_add: checks the driver, creates the device, files it under
   * /machine/peripheral/<id> (or peripheral-anon), sets the given properties in order and
   * realizes it. Any failure removes the device again, leaving the model as it was.
   */
  addDevice(
    requested: string | undefined,
    id: string | undefined,
    props: ReadonlyArray<{ name: string; input: PropertyInput }>,
    /**
     * The machine's bus selection and hotplug checks, run once the driver is known to be valid;
     * it runs `classCheck` (DeviceClass.hotpluggable, where the release checks it there) once
     * the bus is found and before the bus's hotplug is checked.
     */
    checkPlacement?: (driver: string, classCheck: () => void) => void,
  ): {
    readonly device: QomObject;
    readonly warnings: readonly Warning[];
  } {
    if (requested === undefined) throw qomErrors.error('qom.driver-missing');
    // qdev_get_device_class: an alias counts only when no type has the name itself.
    // The release's device table is read only for a name no modelled type has.
    const data = () => deviceData(this.env.release, this.env.target);
    const driver = this.view.info(requested) ? requested : (data()?.aliasTarget(requested) ?? requested);
    const info = this.view.info(driver);
    if (!info) {
      // A type the release's binary has: hotmem knows its help and properties, not an instance.
      if (data()?.type(driver)) throw qomErrors.error('qom.device-not-modelled', { driver, release: releaseName(this.env.release) });
      throw qomErrors.error('qom.invalid-device-model', { driver });
    }
    if (!this.view.isA(driver, 'device')) throw qomErrors.error('qom.driver-not-device');
    const article = compareReleases(this.env.release, { major: 6, minor: 0 }) >= 0;
    if (info.abstract) throw qomErrors.error('qom.driver-abstract', { article });
    if (this.machineReady && info.opaque === true && info.hotpluggable === undefined) throw qomErrors.error('qom.opaque-hotplug', { driver });
    const hotpluggable = this.view.hotpluggable(driver);
    const atLookup = classCheckedAtLookup(this.env.release);
    if (!info.userCreatable || (this.machineReady && atLookup && !hotpluggable)) throw qomErrors.error('qom.driver-not-pluggable', { article });
    // From 10.0 the class is checked once the bus is found (qdev_hotplug_allowed), before the bus's own hotplug.
    checkPlacement?.(driver, () => {
      if (!atLookup && !hotpluggable) throw qomErrors.error('qom.hotplug-unsupported', { type: driver });
    });
    if (id !== undefined && !IDENTIFIER.test(id)) throw qomErrors.error('qom.invalid-identifier', { name: 'id' });
    const peripheral = this.container('/machine/peripheral');
    if (id !== undefined && peripheral.child(id)) {
      throw qomErrors.error('qom.duplicate-device-id', { id, qemuOpts: compareReleases(this.env.release, { major: 6, minor: 2 }) < 0 });
    }

    const created = this.instantiate(driver);
    const device = created.object;
    const warnings = [...created.warnings];
    device.id = id;
    device.hotplugged = this.machineReady;
    if (id !== undefined) {
      this.#attach(peripheral, id, device);
    } else {
      // QEMU counts anonymous devices even when they later fail to realize.
      this.#attach(this.container('/machine/peripheral-anon'), `device[${this.#anonymousDevices++}]`, device);
    }
    try {
      for (const { name, input } of props) this.setProperty(device, name, input);
      warnings.push(...this.realize(device));
    } catch (e) {
      this.#detach(device);
      throw e;
    }
    return { device, warnings };
  }

  /**
   * user_creatable_add_type: -object / object-add. The object is created, its properties set,
   * filed under /objects/<id> and completed (realized), so completion finds the object by its id
   * (a secret whose keyid names itself has no data yet); a failed completion removes it again.
   */
  addObject(
    type: string,
    id: string | undefined,
    props: ReadonlyArray<{ name: string; input: PropertyInput }>,
  ): {
    readonly object: QomObject;
    readonly warnings: readonly Warning[];
  } {
    const info = this.view.info(type);
    if (!info) throw qomErrors.error('qom.invalid-object-type', { type });
    if (!this.view.isA(type, 'user-creatable')) throw qomErrors.error('qom.object-not-creatable', { type });
    if (info.abstract) throw qomErrors.error('qom.object-abstract', { type });
    if (id === undefined) throw qomErrors.error('qom.object-id-missing');
    if (!IDENTIFIER.test(id)) throw qomErrors.error('qom.invalid-identifier', { name: 'id' });
    const objects = this.container('/objects');
    if (objects.child(id)) throw qomErrors.error('qom.duplicate-child', { name: id, parentType: 'container' });
    const created = this.instantiate(type);
    const object = created.object;
    const warnings = [...created.warnings];
    object.id = id;
    for (const { name, input } of props) this.setProperty(object, name, input);
    this.#attach(objects, id, object);
    try {
      warnings.push(...this.#runRealize(object));
    } catch (e) {
      this.#detach(object);
      throw e;
    }
    return { object, warnings };
  }

  /** object-del: refused while the object is in use (a backend mapped by a device). */
  deleteObject(id: string): void {
    const object = this.container('/objects').child(id);
    if (!object) throw qomErrors.error('qom.object-not-found', { id });
    const canBeDeleted = this.view.hook(object.type, 'canBeDeleted');
    const verdict = canBeDeleted?.(object) ?? true;
    if (verdict === false) throw qomErrors.error('qom.object-in-use', { id });
    if (verdict !== true) throw qomErrors.error('qom.object-delete-refused', { message: verdict.refusal });
    this.view.hook(object.type, 'unrealize')?.(object);
    object.realized = false;
    this.#detach(object);
  }

  /**
   * A monitor the front end made and serves, filed under /objects/<id> (11.1): its checks were
   * vl.c's, made by the front end as it parsed the monitor's option, so its completion (which
   * only object-add reaches) does not run.
   */
  addMonitor(type: string, id: string, props: ReadonlyArray<{ name: string; input: PropertyInput }>): QomObject {
    const object = this.instantiate(type).object;
    object.id = id;
    for (const { name, input } of props) this.setProperty(object, name, input);
    object.realized = true;
    this.#attach(this.container('/objects'), id, object);
    return object;
  }

  /** Adds an object the machine creates itself (not user-visible as -device), at a fixed path. */
  addInternal(parentPath: string, name: string, object: QomObject): void {
    this.#attach(this.container(parentPath), name, object);
  }

  /** A device created without a parent lands in /machine/unattached/device[N]. */
  attachUnattached(object: QomObject): void {
    this.#attach(this.container('/machine/unattached'), `device[${this.#unattached++}]`, object);
  }

  // ---- realize --------------------------------------------------------------------------

  /** device_set_realized: pre_plug, realize, plug; unwinds on failure. */
  realize(device: QomObject): Warning[] {
    if (device.realized) return [];
    if (device.hotplugged && !this.view.hotpluggable(device.type)) {
      throw qomErrors.error('qom.hotplug-unsupported', { type: device.type });
    }
    const warnings: Warning[] = [];
    warnings.push(...(this.hotplugHandler?.prePlug?.(device) ?? []));
    warnings.push(...this.#runRealize(device));
    try {
      this.hotplugHandler?.plug?.(device);
    } catch (e) {
      this.unrealize(device);
      throw e;
    }
    return warnings;
  }

  #runRealize(obj: QomObject): Warning[] {
    const realize = this.view.hook(obj.type, 'realize');
    const warnings = realize?.(obj) ?? [];
    obj.realized = true;
    return [...warnings];
  }

  unrealize(device: QomObject): void {
    if (!device.realized) return;
    this.view.hook(device.type, 'unrealize')?.(device);
    device.realized = false;
  }

  /** Removes an unplugged device from the tree. */
  remove(device: QomObject): void {
    this.hotplugHandler?.unplug?.(device);
    this.unrealize(device);
    this.#detach(device);
  }

  // ---- properties -----------------------------------------------------------------------

  #resolve(obj: QomObject, property: string): ResolvedProperty {
    const resolved = this.view.properties(obj.type).get(property);
    if (!resolved) throw qomErrors.error('qom.property-not-found', { type: obj.type, property });
    return resolved;
  }

  /** The class default of a property for this release (undefined when the class sets none). */
  defaultOf(def: PropertyDef): QomValue | undefined {
    return isHistory(def.default) ? valueAt(this.env.release, def.default) : def.default;
  }

  #overriddenDefault(type: string, property: string): QomValue | undefined {
    for (const info of this.view.ancestry(type)) {
      const value = info.defaultOverrides?.[property];
      if (value !== undefined) return value;
    }
    return undefined;
  }

  descriptionOf(def: PropertyDef): string | undefined {
    return isHistory(def.description) ? valueAt(this.env.release, def.description) : def.description;
  }

  getProperty(obj: QomObject, property: string): QomValue {
    const resolved = this.#resolve(obj, property);
    if (resolved.home.kind === 'alias') return this.getProperty(this.#aliasTarget(obj, resolved.home.child), resolved.home.target);
    const { def } = resolved;
    if (def.get) return def.get(obj);
    if (def.type.kind === 'child') return obj.child(def.name)?.path() ?? '';
    const stored = obj.stored(property);
    if (def.type.kind === 'link') return typeof stored === 'string' ? (this.resolvePath(stored)?.path() ?? '') : '';
    return (
      stored ??
      this.#overriddenDefault(obj.type, property) ??
      this.defaultOf(def) ??
      (def.type.kind === 'bool' ? false : def.type.kind === 'str' || def.type.kind === 'enum' ? '' : 0)
    );
  }

  /** The object a link property points to, if set. */
  linkTarget(obj: QomObject, property: string): QomObject | undefined {
    const path = this.getProperty(obj, property);
    return typeof path === 'string' && path !== '' ? this.resolvePath(path) : undefined;
  }

  #aliasTarget(obj: QomObject, childName: string): QomObject {
    const child = obj.child(childName);
    if (!child) throw new Error(`internal: ${obj.type} has no child '${childName}'`);
    return child;
  }

  /**
   * object_property_set / object_property_parse: parse, check, then store. Nothing is stored
   * when any step fails.
   */
  setProperty(obj: QomObject, property: string, input: PropertyInput, origin: PropertyOrigin = EXPLICIT): Warning[] {
    const resolved = this.#resolve(obj, property);
    if (resolved.home.kind === 'alias') {
      resolved.home.beforeWrite?.(obj, property);
      return this.setProperty(this.#aliasTarget(obj, resolved.home.child), resolved.home.target, input, origin);
    }
    const { def } = resolved;
    const notWritable = () =>
      qomErrors.error('qom.property-not-writable', { type: obj.type, property, named: compareReleases(this.env.release, { major: 7, minor: 2 }) >= 0 });
    if (def.readOnly) throw notWritable();
    if (def.type.kind === 'link') {
      if (this.#realizedDeviceField(obj, def)) {
        throw qomErrors.error('qom.set-link-after-realize', { property, id: obj.id, type: obj.type });
      }
      const path = this.#linkInput(property, input);
      const target = path === '' ? undefined : this.resolvePath(path);
      if (path !== '' && !target) throw qomErrors.error('qom.device-not-found', { id: path });
      if (target && !this.view.isA(target.type, def.type.target)) {
        throw qomErrors.error('qom.link-wrong-type', { property, expected: def.type.target });
      }
      const value = target?.path() ?? '';
      this.#store(obj, def, property, value, origin);
      return [];
    }
    if (def.type.kind === 'child') throw notWritable();
    if (this.#realizedDeviceField(obj, def)) {
      throw qomErrors.error('qom.set-after-realize', { property, id: obj.id, type: obj.type });
    }
    const { value, warnings } = this.#parseInput(obj, def, def.type, property, input);
    this.#store(obj, def, property, value, origin);
    return [...warnings];
  }

  #store(obj: QomObject, def: PropertyDef, property: string, value: QomValue, origin: PropertyOrigin): void {
    if (def.set?.(obj, value)?.stored !== true) obj.store(property, value);
    obj.setOrigin(property, origin);
  }

  /** Who set the property's current value (through aliases to the object that holds it). */
  originOf(obj: QomObject, property: string): PropertyOrigin {
    const resolved = this.#resolve(obj, property);
    if (resolved.home.kind === 'alias') return this.originOf(this.#aliasTarget(obj, resolved.home.child), resolved.home.target);
    return obj.storedOrigin(property) ?? CLASS_DEFAULT;
  }

  /**
   * Realize replacing `auto` (or any placeholder) with what the host facts give: the value is
   * stored as QEMU stores it, and the origin keeps the placeholder's own origin and the reason.
   */
  resolveProperty(obj: QomObject, property: string, value: QomValue, because: string): void {
    const from = String(this.getProperty(obj, property));
    const origin = this.originOf(obj, property);
    obj.store(property, value);
    obj.setOrigin(property, { kind: 'resolved', from, origin, because });
  }

  #parseInput(obj: QomObject, def: PropertyDef, scalar: ScalarKind, property: string, input: PropertyInput): { value: QomValue; warnings: readonly Warning[] } {
    try {
      if (def.parse) return { value: def.parse(obj, input), warnings: [] };
      return input.source === 'text'
        ? parseScalar(scalar, property, input.text, input.visitor, this.env.release)
        : { value: this.#jsonScalar(def, property, input.json), warnings: [] };
    } catch (e) {
      // The property's setter would refuse the exact value anyway: let it say so as QEMU does.
      if (e instanceof BeyondModelRange) def.refuseBeyondModel?.(obj, e.exact);
      throw e;
    }
  }

  /** qdev_prop_allow_set: qdev fields of a realized device refuse, unless marked otherwise. */
  #realizedDeviceField(obj: QomObject, def: PropertyDef): boolean {
    return def.origin === 'field' && obj.realized && !def.settableAfterRealize && this.view.isA(obj.type, 'device');
  }

  #linkInput(property: string, input: PropertyInput): string {
    if (input.source === 'text') return input.text;
    if (typeof input.json !== 'string') throw qomErrors.error('qom.value-type', { property, expected: 'string' });
    return input.json;
  }

  /** The QMP (qobject input visitor) rules for a typed JSON value. */
  #jsonScalar(def: PropertyDef, property: string, json: unknown): QomValue {
    const type = def.type;
    switch (type.kind) {
      case 'bool':
        if (typeof json !== 'boolean') throw qomErrors.error('qom.value-type', { property, expected: 'boolean' });
        return json;
      case 'str':
        if (typeof json !== 'string') throw qomErrors.error('qom.value-type', { property, expected: 'string' });
        return json;
      case 'enum':
        if (typeof json !== 'string') throw qomErrors.error('qom.value-type', { property, expected: 'string' });
        return parseScalar(type, property, json, 'keyval', this.env.release).value;
      case 'size':
      case 'uint8':
      case 'uint16':
      case 'uint32':
      case 'uint64': {
        // qobject_input_type_uint64 words a type mismatch as a bad value, and wraps negatives.
        // Integers past 2^53 arrive exact, as bigint (the QMP session's exact toPlain); an unsafe
        // number is a double to QEMU too.
        if (typeof json !== 'bigint' && (typeof json !== 'number' || !Number.isSafeInteger(json))) throw parseError(property, 'uint64');
        const exact = BigInt(json);
        const wrapped = exact < 0n ? (1n << 64n) + exact : exact;
        return parseScalar({ kind: type.kind === 'size' ? 'uint64' : type.kind }, property, wrapped.toString(), 'keyval', this.env.release).value;
      }
      case 'int32':
      case 'int64':
        if (typeof json !== 'bigint' && (typeof json !== 'number' || !Number.isSafeInteger(json)))
          throw qomErrors.error('qom.value-type', { property, expected: 'integer' });
        return parseScalar(type, property, String(json), 'keyval', this.env.release).value;
      case 'link':
      case 'child':
        throw new Error('internal: references are not scalars');
      default: {
        const exhaustive: never = type;
        return exhaustive;
      }
    }
  }

  // ---- QMP views ------------------------------------------------------------------------

  /** qom-list: every property, including children created at run time. */
  qomList(obj: QomObject): QomListEntry[] {
    // qmp_qom_list prepends each property it walks: a container's children (its instance
    // properties) come out in reverse table order, after its one class property.
    if (obj.type === 'container') {
      return [
        { name: 'type', type: 'string' },
        ...obj
          .childrenInTableOrder()
          .reverse()
          .map((child) => ({ name: child.nameInParent!, type: `child<${child.type}>` })),
      ];
    }
    const entries: QomListEntry[] = [...this.view.properties(obj.type).values()].map((p) => ({
      name: p.def.name,
      type: typeString(p.def),
    }));
    const declared = new Set(entries.map((e) => e.name));
    for (const [name, child] of obj.children) {
      if (!declared.has(name)) entries.push({ name, type: `child<${child.type}>` });
    }
    return entries;
  }

  /** The resolved property table of an object's type (for help and schema output). */
  propertiesOf(type: string): ReadonlyMap<string, ResolvedProperty> {
    return this.view.properties(type);
  }
}
