/**
 * Builds the guest's initramfs at test time from the host's packages: static busybox, the virtio
 * modules of the guest kernel (with their dependencies, in load order) and init.sh. Nothing
 * binary is committed; the archive is written into the caller's temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { packageRoot } from '../../../src/core/package-root.js';
import { cpioNewc, type CpioEntry } from './cpio-newc.js';
import type { GuestHost } from './prerequisites.js';

/**
 * The drivers the guest needs: virtio_pci is the transport both -pci devices need. Debian's cloud
 * kernels build virtio_mem and virtio_balloon as modules; virtio_pci is a module up to 6.1 and
 * built in from 6.12 (modules.builtin lists it), so only what is not built in is loaded.
 */
export const GUEST_MODULES: readonly string[] = ['virtio_pci', 'virtio_mem', 'virtio_balloon'];

/** The init script's source, kept beside this file in the source tree (tsc does not copy it). */
export const INIT_SCRIPT = join(packageRoot(), 'test', 'conformance', 'guest', 'init.sh');

/** A module's name as modprobe spells it: the file name without .ko and compression suffix. */
export function moduleName(path: string): string {
  return basename(path)
    .replace(/\.ko(\.\w+)?$/, '')
    .replaceAll('-', '_');
}

/**
 * The modules.dep paths to insmod, dependencies first: a depth-first walk over each wanted
 * module's dependency lines, so every module follows everything it needs.
 */
export function moduleLoadOrder(modulesDep: string, wanted: readonly string[], builtin = ''): string[] {
  const builtIn = new Set(builtin.split('\n').filter(Boolean).map(moduleName));
  const deps = new Map<string, { path: string; needs: string[] }>();
  for (const line of modulesDep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon);
    const needs = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    deps.set(moduleName(path), { path, needs: needs.map(moduleName) });
  }
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string): void => {
    const entry = deps.get(name);
    if (!entry) throw new Error(`module ${name} is not in modules.dep`);
    if (order.includes(entry.path) || visiting.has(name)) return;
    visiting.add(name);
    entry.needs.forEach(visit);
    order.push(entry.path);
  };
  wanted.filter((name) => !builtIn.has(name)).forEach(visit);
  return order;
}

/** A module's bytes; busybox insmod cannot read compressed modules, so .ko.xz is unpacked here. */
export function readModule(path: string): Buffer {
  if (path.endsWith('.ko')) return readFileSync(path);
  if (path.endsWith('.ko.xz')) {
    const xz = spawnSync('xz', ['-dc', path], { maxBuffer: 64 * 1024 * 1024 });
    if (xz.status !== 0) throw new Error(`xz -dc ${path} failed (is xz-utils installed?): ${String(xz.stderr)}`);
    return xz.stdout;
  }
  throw new Error(`unsupported module compression: ${path}`);
}

/** Writes `initramfs.cpio` into `dir` and returns its path. */
export function buildInitramfs(host: GuestHost, dir: string): string {
  const builtin = join(host.kernel.modulesDir, 'modules.builtin');
  const modules = moduleLoadOrder(
    readFileSync(join(host.kernel.modulesDir, 'modules.dep'), 'utf8'),
    GUEST_MODULES,
    existsSync(builtin) ? readFileSync(builtin, 'utf8') : '',
  );
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'etc', 'etc/hotmem', 'lib', 'lib/modules', 'proc', 'sys'].map((path) => ({ kind: 'dir', path }) as const),
    // The kernel opens /dev/console for PID 1 before init can mount devtmpfs.
    { kind: 'char-device', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: readFileSync(host.busybox), executable: true },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: readFileSync(INIT_SCRIPT), executable: true },
    {
      kind: 'file',
      path: 'etc/hotmem/modules',
      data: Buffer.from(modules.map((m) => `${moduleName(m)}.ko\n`).join('')),
      executable: false,
    },
    ...modules.map(
      (m) =>
        ({
          kind: 'file',
          path: `lib/modules/${moduleName(m)}.ko`,
          data: readModule(join(host.kernel.modulesDir, m)),
          executable: false,
        }) as const,
    ),
  ];
  const path = join(dir, 'initramfs.cpio');
  writeFileSync(path, cpioNewc(entries));
  return path;
}
