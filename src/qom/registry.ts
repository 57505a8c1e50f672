/**
 * The type registry, and its view for one QEMU release and target: which types exist there, their
 * ancestry and interfaces (object_dynamic_cast), and each type's full property table with
 * inherited and aliased properties resolved.
 */
import type { Arch } from '../core/arch.js';
import { HotmemError } from '../core/errors.js';
import type { Key } from '../core/keys.js';
import { inWindow, type Release } from '../core/release.js';
import type { PropertyDef } from './property.js';
import type { ChildDef, TypeInfo } from './type-info.js';

/** Where a resolved property's value lives: on the object itself, or on a child it aliases. */
export type PropertyHome =
  { readonly kind: 'own' } | { readonly kind: 'alias'; readonly child: string; readonly target: string; readonly beforeWrite?: ChildDef['beforeAliasWrite'] };

export interface ResolvedProperty {
  readonly def: PropertyDef;
  readonly home: PropertyHome;
  /** The type that declared it (the child's type for aliases). */
  readonly declaredBy: string;
}

export interface QomEnv {
  readonly release: Release;
  readonly target: Arch;
}

/**
 * Types a release has beyond the registered ones, made on first use (opaque devices): given the
 * view's lookup of the other types.
 */
export type TypeFallback = (name: string, env: QomEnv, info: (name: string) => TypeInfo | undefined) => TypeInfo | undefined;

export class TypeRegistry {
  readonly #types = new Map<string, TypeInfo>();

  constructor(readonly fallback?: TypeFallback) {}

  /**
   * Views and extensions already made: both only derive from the registered types, and a batch
   * or matrix starts many machines of one binary and machine type, each asking again.
   * Registering a type drops them.
   */
  readonly #views = new Map<string, RegistryView>();
  readonly #extensions = new Map<string, Array<{ readonly infos: readonly TypeInfo[]; readonly registry: TypeRegistry }>>();

  register(...infos: readonly TypeInfo[]): this {
    for (const info of infos) {
      if (this.#types.has(info.name)) {
        throw new HotmemError('qom.duplicate-type', `type '${info.name}' is registered twice`, { type: info.name });
      }
      this.#types.set(info.name, info);
    }
    this.#views.clear();
    this.#extensions.clear();
    return this;
  }

  info(name: string): TypeInfo | undefined {
    return this.#types.get(name);
  }

  /**
   * This one's types plus `infos` (e.g. the machine type chosen at start), as a registry that is
   * not to be registered into: the same infos (or equal ones) give the same registry.
   */
  extended(...infos: readonly TypeInfo[]): TypeRegistry {
    const names = infos.map((info) => info.name).join('\0');
    const made = this.#extensions.get(names) ?? [];
    const found = made.find((e) => e.infos.every((info, i) => sameInfo(info, infos[i]!)));
    if (found) return found.registry;
    const copy = new TypeRegistry(this.fallback);
    for (const info of this.#types.values()) copy.#types.set(info.name, info);
    copy.register(...infos);
    made.push({ infos, registry: copy });
    this.#extensions.set(names, made);
    return copy;
  }

  allNames(): readonly string[] {
    return [...this.#types.keys()];
  }

  /** The registry as one release and target have it; one view per release and target. */
  view(env: QomEnv): RegistryView {
    const key = `${env.release.major}.${env.release.minor} ${env.target}`;
    let view = this.#views.get(key);
    if (!view) {
      view = new RegistryView(this, { release: env.release, target: env.target });
      this.#views.set(key, view);
    }
    return view;
  }
}

/** The same info, or one with the same members (a machine type's info is made at each start). */
function sameInfo(a: TypeInfo, b: TypeInfo): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as (keyof TypeInfo)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

const available = (env: QomEnv, entry: { since?: string; until?: string; targets?: readonly Arch[] }): boolean =>
  inWindow(env.release, entry) && (entry.targets === undefined || entry.targets.includes(env.target));

/** The registry as one QEMU binary (release + target) has it. Results are cached per view. */
export class RegistryView {
  readonly #properties = new Map<string, ReadonlyMap<string, ResolvedProperty>>();
  readonly #infos = new Map<string, TypeInfo | undefined>();
  readonly #ancestries = new Map<string, readonly TypeInfo[]>();
  /** Compat and -global entries are matched against every object created: each pair is asked many times. */
  /** By type, then ancestor or interface (two levels: a joined key cost more to build than the walk it saved). */
  readonly #isA = new Map<string, Map<string, boolean>>();
  readonly #applicable = new WeakMap<readonly { readonly driver: string }[], Map<string, readonly { readonly driver: string }[]>>();

  constructor(
    readonly registry: TypeRegistry,
    readonly env: QomEnv,
  ) {}

  /** The type, if this release and target build it (and all its ancestors). */
  info(name: string): TypeInfo | undefined {
    if (this.#infos.has(name)) return this.#infos.get(name);
    const info = this.registry.info(name) ?? this.registry.fallback?.(name, this.env, (t) => this.info(t));
    const built = info && available(this.env, info) && (info.parent === undefined || this.info(info.parent)) ? info : undefined;
    this.#infos.set(name, built);
    return built;
  }

  exists(name: string): boolean {
    return this.info(name) !== undefined;
  }

  /** DeviceClass.hotpluggable: set by the type or inherited from an ancestor that sets it. */
  hotpluggable(name: string): boolean {
    return this.ancestry(name).some((t) => t.hotpluggable === true);
  }

  /** Self first, then each parent up to the root. */
  ancestry(name: string): readonly TypeInfo[] {
    let chain = this.#ancestries.get(name);
    if (!chain) {
      const found: TypeInfo[] = [];
      for (let info = this.info(name); info; info = info.parent === undefined ? undefined : this.info(info.parent)) found.push(info);
      chain = found;
      this.#ancestries.set(name, chain);
    }
    return chain;
  }

  /** object_dynamic_cast: true for the type itself, any ancestor, or any interface of either. */
  isA(name: string, ancestorOrInterface: string): boolean {
    let byAncestor = this.#isA.get(name);
    if (byAncestor === undefined) this.#isA.set(name, (byAncestor = new Map<string, boolean>()));
    let is = byAncestor.get(ancestorOrInterface);
    if (is === undefined) {
      is = this.ancestry(name).some((info) => info.name === ancestorOrInterface || (info.interfaces ?? []).includes(ancestorOrInterface));
      byAncestor.set(ancestorOrInterface, is);
    }
    return is;
  }

  /**
   * The entries of a compat or -global list whose driver `name` is (object_apply_global_props
   * casts each object to each entry's driver), in list order: found once per list and type, as
   * a machine type's compat list is matched against every object of every machine started.
   */
  applicable<T extends { readonly driver: string }>(name: string, entries: readonly T[]): readonly T[] {
    let byType = this.#applicable.get(entries);
    if (!byType) {
      byType = new Map();
      this.#applicable.set(entries, byType);
    }
    let found = byType.get(name) as readonly T[] | undefined;
    if (!found) {
      found = entries.filter((entry) => this.isA(name, entry.driver));
      byType.set(name, found);
    }
    return found;
  }

  isAbstract(name: string): boolean {
    return this.info(name)?.abstract === true;
  }

  typeNames(): readonly string[] {
    return this.registry.allNames().filter((name) => this.exists(name));
  }

  children(name: string): readonly ChildDef[] {
    return [...this.ancestry(name)]
      .reverse()
      .flatMap((info) => info.children ?? [])
      .filter((child) => this.exists(child.type));
  }

  /** Hooks are looked up nearest-first, as a C subclass overrides its parent's realize. */
  hook<K extends 'realize' | 'unrealize' | 'postInit' | 'canBeDeleted'>(name: string, hook: K): TypeInfo[K] | undefined {
    return this.ancestry(name).find((info) => info[hook] !== undefined)?.[hook];
  }

  /** The class data stored under `key` by the type or its nearest ancestor that has it. */
  implementation<T>(name: string, key: Key<T>): T | undefined {
    for (const info of this.ancestry(name)) {
      const found = info.implementations?.find((i) => i.key === (key as Key<unknown>));
      if (found) return found.impl as T;
    }
    return undefined;
  }

  /** Every property an instance of `name` has: inherited, own, and aliased from children. */
  properties(name: string): ReadonlyMap<string, ResolvedProperty> {
    const cached = this.#properties.get(name);
    if (cached) return cached;
    const resolved = new Map<string, ResolvedProperty>();
    const lineage = [...this.ancestry(name)].reverse();
    for (const info of lineage) {
      for (const def of info.properties ?? []) {
        if (available(this.env, def)) resolved.set(def.name, { def, home: { kind: 'own' }, declaredBy: info.name });
      }
      for (const child of info.children ?? []) {
        if (!this.exists(child.type)) continue;
        resolved.set(child.name, {
          def: { name: child.name, type: { kind: 'child', target: child.type }, origin: 'custom', readOnly: true },
          home: { kind: 'own' },
          declaredBy: info.name,
        });
      }
    }
    // Aliases come last: qdev_alias_all_properties skips names the parent already has.
    for (const info of lineage) {
      for (const child of info.children ?? []) {
        if (!this.exists(child.type)) continue;
        const childProps = this.properties(child.type);
        const aliased = new Set<string>(child.extraAliases ?? []);
        if (child.aliasClassProperties) {
          for (const [propName, prop] of childProps) if (prop.def.origin === 'field') aliased.add(propName);
        }
        for (const propName of aliased) {
          const target = childProps.get(propName);
          if (!target || resolved.has(propName)) continue;
          resolved.set(propName, {
            def: target.def,
            home: { kind: 'alias', child: child.name, target: propName, ...(child.beforeAliasWrite ? { beforeWrite: child.beforeAliasWrite } : {}) },
            declaredBy: target.declaredBy,
          });
        }
      }
    }
    this.#properties.set(name, resolved);
    return resolved;
  }
}
