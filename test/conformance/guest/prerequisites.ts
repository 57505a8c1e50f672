/**
 * What the host must have to boot the conformance guest, found once and reported by name when
 * absent so a skipped test says exactly what to install (all are Debian 12 packages).
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findQemuSystem, qemuVersion } from '../qemu.js';

export interface GuestKernel {
  /** `uname -r` of the kernel, e.g. 6.1.0-56-cloud-amd64. */
  readonly release: string;
  readonly image: string;
  readonly modulesDir: string;
}

export interface GuestHost {
  readonly qemu: string;
  readonly kernel: GuestKernel;
  readonly busybox: string;
}

export type Prerequisites =
  | { readonly ok: true; readonly host: GuestHost }
  | { readonly ok: false; readonly missing: readonly string[] };

/** The releases hotmem's guest models are checked against: Debian 12's. */
const QEMU_RELEASE = '7.2';
const KERNEL_RELEASE = /^6\.1\./;
const BUSYBOX = '/bin/busybox';

export async function findPrerequisites(): Promise<Prerequisites> {
  const missing: string[] = [];
  const qemu = await findQemu(missing);
  const kernel = findKernel(missing);
  if (!isStaticExecutable(BUSYBOX)) {
    missing.push(`a statically linked ${BUSYBOX} (Debian: apt-get install busybox-static)`);
  }
  if (qemu === undefined || kernel === undefined || missing.length > 0) return { ok: false, missing };
  return { ok: true, host: { qemu, kernel, busybox: BUSYBOX } };
}

async function findQemu(missing: string[]): Promise<string | undefined> {
  const path = findQemuSystem('x86_64');
  if (path === null) {
    missing.push('qemu-system-x86_64 in PATH (Debian: apt-get install qemu-system-x86)');
    return undefined;
  }
  const version = await qemuVersion(path);
  if (`${version.major}.${version.minor}` !== QEMU_RELEASE) {
    missing.push(`QEMU ${QEMU_RELEASE} (${path} is ${version.major}.${version.minor}.${version.micro}; Debian 12: apt-get install qemu-system-x86)`);
    return undefined;
  }
  return path;
}

/** The newest readable /boot/vmlinuz-6.1.* whose modules include virtio_mem. */
function findKernel(missing: string[]): GuestKernel | undefined {
  const releases = existsSync('/boot')
    ? readdirSync('/boot')
        .filter((f) => f.startsWith('vmlinuz-'))
        .map((f) => f.slice('vmlinuz-'.length))
        .filter((r) => KERNEL_RELEASE.test(r))
    : [];
  const usable = releases
    .filter((release) => isReadable(`/boot/vmlinuz-${release}`) && hasVirtioMem(`/lib/modules/${release}`))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const release = usable.at(-1);
  if (release === undefined) {
    missing.push(
      'a readable Linux 6.1 kernel /boot/vmlinuz-6.1.* with virtio_mem in /lib/modules/<release>/modules.dep ' +
        `(found: ${releases.length > 0 ? releases.join(', ') : 'none'}; Debian: apt-get install linux-image-cloud-amd64)`,
    );
    return undefined;
  }
  return { release, image: `/boot/vmlinuz-${release}`, modulesDir: `/lib/modules/${release}` };
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
