/**
 * What booting the conformance guest needs, taken from the Debian roots (test/conformance/roots.sh):
 * one suite's QEMU and static busybox, and the cloud kernel with modules of the same suite or of
 * another (a legacy guest on a newer QEMU). Found once and reported by name when absent, so a
 * skipped test says exactly what is missing.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_SUITES, isMissing, realQemu, type GuestSuite } from '../real-qemu.js';

export interface GuestKernel {
  /** `uname -r` of the kernel, e.g. 6.1.0-56-cloud-amd64. */
  readonly release: string;
  /**
   * The image as this process reads it (outside the root). QEMU runs chrooted into its own root,
   * which need not hold this kernel, so the harness copies it under /tmp (bound into every root).
   */
  readonly image: string;
  /** The modules directory as this process reads it (outside the root). */
  readonly modulesDir: string;
}

export interface GuestHost {
  /** The suite whose QEMU runs, and the suite whose kernel it boots. */
  readonly suite: GuestSuite;
  readonly kernelSuite: GuestSuite;
  readonly qemu: string;
  /** QEMU's release (major.minor) and the kernel series the suite ships, e.g. 7.2 and 6.1. */
  readonly qemuRelease: string;
  readonly kernelSeries: string;
  readonly kernel: GuestKernel;
  readonly busybox: string;
}

export type Prerequisites = { readonly ok: true; readonly host: GuestHost } | { readonly ok: false; readonly missing: readonly string[] };

/** The suite whose QEMU and kernel hotmem's guest models are checked against (Debian 12). */
export const DEFAULT_GUEST_SUITE: GuestSuite = 'bookworm';

export function findPrerequisites(suite: GuestSuite = DEFAULT_GUEST_SUITE, kernelSuite: GuestSuite = suite): Promise<Prerequisites> {
  const entry = suiteEntry(suite);
  const kernelEntry = suiteEntry(kernelSuite);
  const qemu = realQemu(suite, 'x86_64');
  if (isMissing(qemu)) return Promise.resolve({ ok: false, missing: [qemu.missing] });
  const kernelRoot = realQemu(kernelSuite, 'x86_64');
  if (isMissing(kernelRoot)) return Promise.resolve({ ok: false, missing: [kernelRoot.missing] });
  const missing: string[] = [];
  const kernel = findKernel(kernelRoot.root, kernelEntry.linux, missing);
  const busybox = join(qemu.root, 'bin/busybox');
  if (!isStaticExecutable(busybox)) missing.push(`a statically linked ${busybox} (busybox-static in the ${suite} root)`);
  if (kernel === undefined || missing.length > 0) return Promise.resolve({ ok: false, missing });
  return Promise.resolve({
    ok: true,
    host: { suite, kernelSuite, qemu: qemu.binary, qemuRelease: entry.release, kernelSeries: kernelEntry.linux, kernel, busybox },
  });
}

function suiteEntry(suite: GuestSuite): (typeof GUEST_SUITES)[number] {
  const entry = GUEST_SUITES.find((s) => s.suite === suite);
  if (!entry) throw new Error(`unknown guest suite ${suite}`);
  return entry;
}

/** The newest readable <root>/boot/vmlinuz-<series>.* whose modules include virtio_mem. */
function findKernel(root: string, series: string, missing: string[]): GuestKernel | undefined {
  const boot = join(root, 'boot');
  const prefix = `vmlinuz-${series}.`;
  const releases = existsSync(boot)
    ? readdirSync(boot)
        .filter((f) => f.startsWith(prefix))
        .map((f) => f.slice('vmlinuz-'.length))
    : [];
  const usable = releases
    .filter((release) => isReadable(join(boot, `vmlinuz-${release}`)) && hasVirtioMem(join(root, 'lib/modules', release)))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const release = usable.at(-1);
  if (release === undefined) {
    missing.push(
      `a readable Linux ${series} kernel ${boot}/vmlinuz-${series}.* with virtio_mem in its modules.dep ` +
        `(found: ${releases.length > 0 ? releases.join(', ') : 'none'}; linux-image-cloud-amd64 in the root)`,
    );
    return undefined;
  }
  return { release, image: join(boot, `vmlinuz-${release}`), modulesDir: join(root, 'lib/modules', release) };
}

function hasVirtioMem(modulesDir: string): boolean {
  const dep = join(modulesDir, 'modules.dep');
  return isReadable(dep) && /\/virtio_mem\.ko(\.\w+)?:/.test(readFileSync(dep, 'utf8'));
}

/** An ELF executable without a PT_INTERP program header needs no dynamic loader in the initramfs. */
function isStaticExecutable(path: string): boolean {
  if (!isReadable(path)) return false;
  const elf = readFileSync(path);
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false; // ELF64 only
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  const PT_INTERP = 3;
  for (let i = 0; i < phnum; i++) {
    if (elf.readUInt32LE(phoff + i * phentsize) === PT_INTERP) return false;
  }
  return true;
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
