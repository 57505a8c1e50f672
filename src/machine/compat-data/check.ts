/**
 * Cross-reference checks the JSON schemas cannot express: windows name modelled releases and are
 * not empty, entries sit inside their array's window, every referenced array, series, version and
 * build feature exists, and every release has unique machine names and aliases and at most one
 * default. A failure names the file, so a bad edit of compat/ fails at load time.
 */
import { ARCHES } from '../../core/arch.js';
import { inWindow, release as parseRelease } from '../../core/release.js';
import type { CompatDocuments, RequirementDoc, WindowDoc } from './documents.js';
import { compatErrors } from './errors.js';
import { machineClasses } from './machine-classes.js';
import { entryWindow, type CompatModel } from './model.js';
import { releaseOrder } from './versions.js';

class Checker {
  constructor(
    private readonly model: CompatModel,
    private readonly file: string,
  ) {}

  fail(problem: string): never {
    throw compatErrors.error('compat.invalid-data', { file: this.file, problem });
  }

  release(what: string, version: string): void {
    if (!this.model.releases.some((r) => r.version === version)) this.fail(`${what}: ${version} is not a modelled release`);
  }

  window(what: string, w: { readonly since?: string; readonly until?: string }): void {
    if (w.since !== undefined) this.release(what, w.since);
    if (w.until !== undefined) this.release(what, w.until);
    if (w.since !== undefined && w.until !== undefined && releaseOrder(w.since, w.until) >= 0) {
      this.fail(`${what}: empty window ${w.since} to ${w.until}`);
    }
  }

  /** `inner` must not reach outside `outer` (an open until is the newest release and beyond). */
  within(what: string, inner: WindowDoc, outer: WindowDoc): void {
    const early = releaseOrder(inner.since, outer.since) < 0;
    const late = outer.until !== undefined && (inner.until === undefined || releaseOrder(inner.until, outer.until) > 0);
    if (early || late) this.fail(`${what}: window reaches outside ${outer.since} to ${outer.until ?? 'now'}`);
  }

  array(what: string, name: string): void {
    if (!this.model.arrays.has(name)) this.fail(`${what}: no compat array ${name}`);
  }

  requirements(what: string, arch: string, requirements: readonly RequirementDoc[]): void {
    for (const req of requirements) {
      const feature = typeof req === 'string' ? req : req.feature;
      if (!this.model.features.some((f) => f.name === feature && f.arch === arch)) this.fail(`${what}: no ${arch} build feature ${feature}`);
      if (typeof req !== 'string') this.window(`${what} requirement ${feature}`, req);
    }
  }

  unique(what: string, names: readonly string[]): void {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) this.fail(`${what} ${name} appears twice`);
      seen.add(name);
    }
  }
}

function checkReleases(model: CompatModel): void {
  const c = new Checker(model, 'compat/releases.yaml');
  model.releases.forEach((r, i) => {
    parseRelease(r.version);
    const previous = model.releases[i - 1];
    if (previous && releaseOrder(previous.version, r.version) >= 0) c.fail(`releases are not in increasing order at ${r.version}`);
  });
  model.lifecycle.forEach((rule, i) => c.window(`machineLifecycle[${i}]`, rule));
  for (const r of model.releases) {
    const rules = model.lifecycle.filter((rule) => inWindow(parseRelease(r.version), rule));
    if (rules.length > 1) c.fail(`two machineLifecycle rules cover ${r.version}`);
  }
  const builds = new Checker(model, 'compat/build-features.yaml');
  builds.unique(
    'build feature',
    model.features.map((f) => f.name),
  );
  builds.unique(
    'build',
    model.builds.map((b) => `${b.name} ${b.release}`),
  );
  for (const b of model.builds) {
    builds.release(`build ${b.name} ${b.release}`, b.release);
    for (const arch of ARCHES) builds.requirements(`build ${b.name} ${b.release}`, arch, b[arch]);
  }
}

function checkArrays(model: CompatModel, docs: CompatDocuments): void {
  for (const { file, doc } of docs.arrays) {
    const c = new Checker(model, file);
    for (const [name, array] of Object.entries(doc.arrays)) {
      c.window(name, array);
      array.entries.forEach((e, i) => {
        const w = entryWindow(e, array);
        c.window(`${name}[${i}]`, w);
        c.within(`${name}[${i}]`, w, array);
      });
    }
  }
}

function checkMachines(model: CompatModel, docs: CompatDocuments): void {
  for (const { file, doc } of docs.machines) {
    const c = new Checker(model, file);
    c.unique(
      'series',
      doc.series.map((s) => s.id),
    );
    for (const series of doc.series) {
      c.requirements(series.id, doc.arch, series.requires);
      for (const name of series.base ?? []) c.array(`${series.id} base`, name);
      c.unique(
        `${series.id} version`,
        series.versions.map((v) => v.version),
      );
      if (typeof series.desc !== 'string') {
        for (const d of series.desc) c.window(`${series.id} desc '${d.text}'`, d);
        for (const { version } of model.releases) {
          const r = parseRelease(version);
          const covering = series.desc.filter((d) => inWindow(r, d)).length;
          const present = series.versions.some((v) => inWindow(r, v));
          if (present && covering !== 1) c.fail(`${series.id}: ${covering} desc windows cover QEMU ${version}, which needs exactly one`);
        }
      }
      for (const v of series.versions) {
        const what = `${series.id} ${v.version}`;
        c.window(what, v);
        c.requirements(what, doc.arch, v.requires ?? []);
        for (const name of v.compat ?? []) c.array(what, name);
        for (const d of v.deprecated ?? []) {
          c.window(`${what} deprecation`, d);
          c.within(`${what} deprecation`, d, v);
        }
      }
    }
    c.unique(
      'machine',
      doc.machines.map((m) => m.name),
    );
    for (const m of doc.machines) {
      c.window(m.name, m);
      c.requirements(m.name, doc.arch, m.requires ?? []);
      for (const name of m.compat ?? []) c.array(m.name, name);
      if (m.basedOn) {
        const { series: id, version } = m.basedOn;
        const base = doc.series.find((s) => s.id === id)?.versions.find((v) => v.version === version);
        if (base) c.within(`${m.name} (based on ${id} ${version})`, m, base);
        else c.fail(`${m.name} is based on ${id} ${version}, which is not in the data`);
      }
    }
  }
}

/** Names, aliases and the default as every release registers them, with and without QEMU_DELETE_MACHINES. */
function checkRegistrations(model: CompatModel): void {
  for (const arch of ARCHES) {
    const c = new Checker(model, `compat/machines/${arch}.yaml`);
    for (const { version } of model.releases) {
      for (const env of [{}, { QEMU_DELETE_MACHINES: '1' }]) {
        const registered = machineClasses(model, version, arch, env).filter((m) => !m.deleted);
        c.unique(
          `QEMU ${version}: machine name or alias`,
          registered.flatMap((m) => (m.alias === null ? [m.name] : [m.name, m.alias])),
        );
        if (registered.filter((m) => m.isDefault).length > 1) c.fail(`QEMU ${version} has more than one default machine`);
      }
    }
  }
}

export function checkCompatData(model: CompatModel, docs: CompatDocuments): void {
  checkReleases(model);
  checkArrays(model, docs);
  checkMachines(model, docs);
  checkRegistrations(model);
}
