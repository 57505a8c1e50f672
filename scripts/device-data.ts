/**
 * Regenerates compat/devices/ from the real QEMU binaries of the roots
 * (test/conformance/roots.sh): for each release and target, `-device help` (the categorised list),
 * every listed device's properties as QMP device-list-properties reports them (the data
 * `-device TYPE,help` prints from), qom-list-types, query-commands and query-qmp-schema.
 *
 *   node dist/scripts/device-data.js [SUITE...]
 *   node dist/scripts/device-data.js --hotplug [SUITE...]
 *
 * With --hotplug only each listed device's DeviceClass.hotpluggable is probed again
 * (scripts/hotplug-probe.ts) and written into the existing data, one QEMU per release and target.
 *
 * Property tables are stored once in compat/devices/properties.json, keyed by a digest of their
 * content, so a device unchanged between releases or targets shares one entry.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../src/core/arch.js';
import { packageRoot } from '../src/core/package-root.js';
import type { DefaultValue, DeviceListing, PropertyTable, PropertyRow, ReleaseDevices } from '../src/qom/device-data/format.js';
import { strcmp } from '../src/qom/help.js';
import { DEVICE_CATEGORIES, type DeviceCategory } from '../src/qom/type-info.js';
import { release } from '../src/core/release.js';
import { classCheckedAtLookup } from '../src/qom/hotplug-check.js';
import { QmpSession, qemuVersion, runQemu } from '../test/conformance/qemu.js';
import { SUITES, UBUNTU_MACHINE_TYPE, isMissing, realQemu, suiteName, type RealQemu, type Suite } from '../test/conformance/real-qemu.js';
import { probeHotpluggable } from './hotplug-probe.js';

interface PropertyInfo {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly 'default-value'?: unknown;
}

const LINE = /^name "([^"]+)"(?:, bus (\S+))?(?:, alias "([^"]+)")?(?:, desc "(.*)")?$/;

/** `-device help`: a `<Category> devices:` heading, then one `name "..."` line per device. */
function parseDeviceList(text: string): DeviceListing[] {
  const devices: DeviceListing[] = [];
  let category: DeviceCategory | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const heading = /^(.*) devices:$/.exec(line)?.[1];
    if (heading !== undefined) {
      category = DEVICE_CATEGORIES.find((c) => c === heading);
      if (category === undefined) throw new Error(`unknown device category: ${line}`);
      continue;
    }
    const m = LINE.exec(line);
    if (!m || category === undefined) throw new Error(`unexpected -device help line: ${line}`);
    devices.push({ category, name: m[1]!, ...(m[2] ? { bus: m[2] } : {}), ...(m[3] ? { alias: m[3] } : {}), ...(m[4] !== undefined ? { desc: m[4] } : {}) });
  }
  return devices;
}

/** JSON with one line per array element or object member of the top level, so diffs stay readable. */
function document(fields: Readonly<Record<string, unknown>>): string {
  const members = Object.entries(fields).map(([key, value]) => {
    if (Array.isArray(value)) return `${JSON.stringify(key)}: [\n${value.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]`;
    if (value !== null && typeof value === 'object') {
      return `${JSON.stringify(key)}: {\n${Object.entries(value)
        .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
        .join(',\n')}\n}`;
    }
    return `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  });
  return `{\n${members.join(',\n')}\n}\n`;
}

const digest = (rows: readonly PropertyRow[]): string => createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 12);

/**
 * QMP's JSON carries 64-bit defaults exactly, JSON.parse does not: a default beyond 2^53 is
 * read back from the digits `-device TYPE,help` prints, and stored as `{"$int": "digits"}`.
 */
async function exactDefault(binary: string, type: string, p: PropertyInfo): Promise<DefaultValue> {
  const value = p['default-value'] as DefaultValue;
  if (typeof value !== 'number' || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
  const help = await runQemu(binary, ['-device', `${type},help`]);
  const digits = new RegExp(`^  ${p.name}=<[^>]*>.* \\(default: (-?\\d+)\\)$`, 'm').exec(help.stdout)?.[1];
  if (digits === undefined) throw new Error(`${type}.${p.name}: no default in -device ${type},help`);
  return { $int: digits };
}

async function row(binary: string, type: string, p: PropertyInfo): Promise<PropertyRow> {
  const base: PropertyRow = [p.name, p.type];
  if (p['default-value'] !== undefined) return [...base, p.description ?? null, await exactDefault(binary, type, p)];
  if (p.description !== undefined) return [...base, p.description];
  return base;
}

async function generate(suite: Suite, arch: Arch, shared: Record<string, readonly PropertyRow[]>): Promise<void> {
  const q = realQemu(suite, arch);
  if (isMissing(q)) {
    console.log(`skipped: ${q.missing}`);
    return;
  }
  const version = await qemuVersion(q.binary);
  const listing = await runQemu(q.binary, ['-device', 'help']);
  const listed = parseDeviceList(listing.stdout);
  const start = () => QmpSession.start(q.binary, ['-machine', 'none'], { timeoutMs: 30_000 });
  let session = await start();
  try {
    const types = (await session.execute<{ name: string; parent?: string; abstract?: boolean }[]>('qom-list-types', { abstract: true })).filter(
      (t) => !UBUNTU_MACHINE_TYPE.test(t.name),
    );
    const deviceTypes = await session.execute<{ name: string }[]>('qom-list-types', { implements: 'device' });
    const commands = await session.execute<{ name: string }[]>('query-commands');
    const schema = await session.execute<unknown[]>('query-qmp-schema');
    // qom-list-types loaded every module; a fresh QEMU finds a module's type by name only if
    // the module's info lists it (abstract bases are not), so each other type is asked of one.
    const devices = new Set(deviceTypes.map((t) => t.name));
    const unknownByName: string[] = [];
    for (const { name } of types.filter((t) => !devices.has(t.name))) {
      const help = await runQemu(q.binary, ['-device', `${name},help`]);
      if (help.stderr.endsWith(`Device '${name}' not found\n`)) unknownByName.push(name);
    }
    const properties: Record<string, PropertyTable> = {};
    for (const { name } of [...deviceTypes].sort((a, b) => strcmp(a.name, b.name))) {
      let props: PropertyInfo[];
      try {
        props = await session.execute<PropertyInfo[]>('device-list-properties', { typename: name });
      } catch {
        // A device whose module does not load in this root (e.g. the GL display devices without
        // their libraries) ends QEMU; `-device TYPE,help` prints the same message and exits 1.
        const help = await runQemu(q.binary, ['-device', `${name},help`]);
        const prefix = `qemu-system-${arch}: -device ${name},help: `;
        if (help.code !== 1 || !help.stderr.startsWith(prefix)) throw new Error(`${name}: device-list-properties failed: ${session.stderr()}`);
        properties[name] = { error: help.stderr.slice(prefix.length).trimEnd() };
        await session.kill().catch(() => undefined);
        session = await start();
        continue;
      }
      const rows: PropertyRow[] = [];
      for (const p of props) rows.push(await row(q.binary, name, p));
      const id = digest(rows);
      shared[id] = rows;
      properties[name] = id;
    }
    const data: ReleaseDevices = {
      release: q.release,
      arch,
      source: `${suiteName(suite)} qemu-system-${arch} ${version.major}.${version.minor}.${version.micro}${version.package ? ` (${version.package})` : ''}`,
      devices: listed,
      hotpluggable: await hotplugFlags(q, listed),
      properties,
      unknownByName: unknownByName.sort(strcmp),
      types: types.map((t) => [t.name, t.parent ?? null, t.abstract === true] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    };
    const dir = join(packageRoot(), 'compat', 'devices');
    writeFileSync(join(dir, `${arch}-${q.release}.json`), document({ ...data }));
    writeFileSync(
      join(packageRoot(), 'compat', 'qmp-schema', `${arch}-${q.release}.json`),
      document({ release: q.release, arch, source: data.source, commands: commands.map((c) => c.name), schema }),
    );
    console.log(
      `${suite} ${arch}: ${listed.length} listed, ${unknownByName.length} found only once loaded, ${Object.keys(properties).length} device types, ${types.length} types, ${commands.length} commands`,
    );
  } finally {
    await session.quit();
  }
}

const hotpluggableCount = (flags: Readonly<Record<string, boolean>>): string =>
  `${Object.values(flags).filter((f) => f).length} hotpluggable, ${Object.values(flags).filter((f) => !f).length} not`;

async function hotplugFlags(q: RealQemu, listed: readonly DeviceListing[]): Promise<Record<string, boolean>> {
  const flags = await probeHotpluggable(q.binary, q.arch, listed, classCheckedAtLookup(release(q.release)));
  console.log(`${q.suite} ${q.arch}: ${hotpluggableCount(flags)} of ${listed.length} listed`);
  return flags;
}

/** --hotplug: the probe alone, its flags written into the data read before. */
async function regenerateHotplug(suite: Suite, arch: Arch): Promise<void> {
  const q = realQemu(suite, arch);
  if (isMissing(q)) {
    console.log(`skipped: ${q.missing}`);
    return;
  }
  const path = join(packageRoot(), 'compat', 'devices', `${arch}-${q.release}.json`);
  const data = JSON.parse(readFileSync(path, 'utf8')) as ReleaseDevices;
  const hotpluggable = await hotplugFlags(q, data.devices);
  // The flags follow the list, as a full regeneration writes them.
  const fields = Object.entries(data).flatMap(([key, value]) =>
    key === 'hotpluggable'
      ? []
      : key === 'devices'
        ? [
            [key, value],
            ['hotpluggable', hotpluggable],
          ]
        : [[key, value]],
  );
  writeFileSync(path, document(Object.fromEntries(fields) as Record<string, unknown>));
}

const hotplugOnly = process.argv[2] === '--hotplug';
const named = process.argv.slice(hotplugOnly ? 3 : 2) as Suite[];
const suites = named.length > 0 ? named : SUITES.map((s) => s.suite);
if (hotplugOnly) {
  for (const suite of suites) for (const arch of ['x86_64', 's390x'] as const) await regenerateHotplug(suite, arch);
  process.exit(0);
}
const sharedPath = join(packageRoot(), 'compat', 'devices', 'properties.json');
for (const dir of ['devices', 'qmp-schema']) mkdirSync(join(packageRoot(), 'compat', dir), { recursive: true });
const shared = existsSync(sharedPath) ? (JSON.parse(readFileSync(sharedPath, 'utf8')) as Record<string, readonly PropertyRow[]>) : {};
for (const suite of suites) for (const arch of ['x86_64', 's390x'] as const) await generate(suite, arch, shared);
// Only tables some release still refers to are kept.
const used = new Set<string>();
for (const file of readdirSync(join(packageRoot(), 'compat', 'devices'))) {
  if (file === 'properties.json') continue;
  const data = JSON.parse(readFileSync(join(packageRoot(), 'compat', 'devices', file), 'utf8')) as ReleaseDevices;
  for (const t of Object.values(data.properties)) if (typeof t === 'string') used.add(t);
}
const sorted = Object.fromEntries([...used].sort().map((k) => [k, shared[k]!]));
writeFileSync(sharedPath, document(sorted));
