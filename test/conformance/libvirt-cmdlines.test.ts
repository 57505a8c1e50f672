/**
 * libvirt's own command lines for memory devices, NUMA and the balloon (its golden files,
 * tests/qemuxmlconfdata/*.args, stored verbatim in data/libvirt/) through each Debian release's
 * real QEMU and through `hotmem qemu` of that release. The start-up outcome and stderr must agree
 * (-msg timestamp=on's times aside); where both run (paused, -S), so must query-memory-devices.
 *
 * The files name libvirt's host. Only those names are adapted, at run time, to a fresh directory
 * under /tmp (bound into the roots): the master key becomes a file there, the disk /dev/null, the
 * hugetlbfs mount point a plain directory, /tmp/virtio_pmem a file there; and the monitor socket
 * libvirt passes as an fd (fd=1729, or @mon-fd@ in newer files) becomes the same socket chardev
 * listening at a path, since no parent passes an fd here.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../src/core/arch.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { QemuProcess } from '../../src/cli/qemu-process.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { packageRoot } from '../../src/core/package-root.js';
import { requireModelled } from './modelled-release.js';
import { QmpSession, runQemu } from './qemu.js';
import { realQemus, requireReal, TEST_HOST_ARCH } from './real-qemu.js';

/** The golden files, from libvirt/libvirt at the commit each was read at. */
const FILES: readonly { readonly name: string; readonly arch: Arch; readonly commit: string }[] = [
  { name: 'memory-hotplug-virtio-mem.x86_64-latest.args', arch: 'x86_64', commit: '6eaf3614b6f2e79d5827b152a5cc100b05f1f935' },
  { name: 'memory-hotplug-virtio-pmem.x86_64-latest.args', arch: 'x86_64', commit: '6eaf3614b6f2e79d5827b152a5cc100b05f1f935' },
  { name: 'memory-hotplug-dimm.x86_64-latest.args', arch: 'x86_64', commit: '6eaf3614b6f2e79d5827b152a5cc100b05f1f935' },
  { name: 'balloon-device-deflate.x86_64-latest.args', arch: 'x86_64', commit: '6eaf3614b6f2e79d5827b152a5cc100b05f1f935' },
  { name: 'numatune-memnode.x86_64-latest.args', arch: 'x86_64', commit: 'c2ea8b2e7c70fbe3c3f80ebc66591235fe6fd4c3' },
  { name: 'balloon-ccw-deflate.s390x-latest.args', arch: 's390x', commit: '3901ef86ae69d6dbc53c3f403ba9fc316a2f7301' },
];

/**
 * Where hotmem still answers differently, and why. Each is still compared: the test fails once
 * the two agree, so the entry gets removed with the fix.
 */
const KNOWN: readonly { readonly file: string; readonly releases: readonly string[]; readonly reason: string }[] = [
  {
    file: 'memory-hotplug-virtio-pmem.x86_64-latest.args',
    releases: ['7.2', '10.0', '11.1'],
    reason:
      "with -accel kvm -cpu qemu64 QEMU warns twice that this host's KVM lacks CPUID.01H:ECX.pni before its phys-bits refusal; hotmem's host CPU model has no CPUID features, so it gives the refusal alone",
  },
];

/** The arguments of a libvirt .args file: the lines after the environment and the binary, shell-quoted. */
export function argsOf(text: string): string[] {
  const words: string[] = [];
  for (const line of text.split('\n')) {
    const content = line.replace(/ \\$/, '');
    if (!content.startsWith('-')) continue;
    const space = content.indexOf(' ');
    if (space < 0) {
      words.push(content);
      continue;
    }
    words.push(content.slice(0, space));
    const value = content.slice(space + 1);
    words.push(value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : value);
  }
  return words;
}

/** The adaptations of the module comment, into `dir`. */
function adapted(args: readonly string[], dir: string): string[] {
  writeFileSync(join(dir, 'master-key.aes'), Buffer.alloc(32, 1));
  mkdirSync(join(dir, 'hugepages2M'), { recursive: true });
  return args.map((arg) =>
    arg
      .replace(/\/var\/lib\/libvirt\/qemu\/domain--1-[A-Za-z0-9]+\/master-key\.aes/, join(dir, 'master-key.aes'))
      .replace('/dev/HostVG/QEMUGuest1', '/dev/null')
      .replace('/dev/hugepages2M/libvirt/qemu/-1-QEMUGuest1', join(dir, 'hugepages2M'))
      .replace('/tmp/virtio_pmem', join(dir, 'virtio_pmem'))
      .replace(/fd=(?:\d+|@mon-fd@)/, `path=${join(dir, 'monitor.sock')}`),
  );
}

const wallClock = (stderr: string): string => stderr.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z /gm, '<time> ');

/** Long enough for any of these to exit with its error; a QEMU still up after it runs the machine. */
const RUNNING_AFTER_MS = 6_000;

/** query-memory-devices of hotmem's process for the same arguments, in process. */
function hotmemMemoryDevices(release: string, arch: Arch, args: readonly string[]): unknown {
  const started = QemuProcess.start({ qemuVersion: release, arch, hostArch: TEST_HOST_ARCH, hostKernel: 'linux-6.1', guest: undefined, argv: args }, undefined);
  if (started.kind === 'exited') throw new Error(`hotmem exited with ${started.status} the second time`);
  const replies: QmpMessage[] = [];
  const session = new HotmemSession(started.process.ctx, QMP_COMMANDS, (m) => replies.push(m));
  session.handle('{"execute": "qmp_capabilities"}');
  session.handle('{"execute": "query-memory-devices"}');
  session.close();
  return replies.at(-1)?.['return'];
}

const byId = (devices: unknown): unknown =>
  Array.isArray(devices) ? [...(devices as { data: { id?: string } }[])].sort((a, b) => (a.data.id ?? '').localeCompare(b.data.id ?? '')) : devices;

for (const arch of ['x86_64', 's390x'] as const) {
  describe(`conformance: libvirt's command lines, qemu-system-${arch}, every Debian release`, function () {
    this.timeout(60_000);
    for (const q of realQemus(arch)) {
      describe(`QEMU ${q.release} (${q.suite})`, () => {
        for (const file of FILES.filter((f) => f.arch === arch)) {
          const known = KNOWN.find((k) => k.file === file.name && k.releases.includes(q.release));
          it(`${file.name} (libvirt ${file.commit.slice(0, 10)})${known ? ' (known difference)' : ''}`, async function () {
            requireReal(this, q);
            requireModelled(this, q.release);
            const dir = mkdtempSync('/tmp/hotmem-libvirt-');
            try {
              const text = readFileSync(join(packageRoot(), 'test', 'conformance', 'data', 'libvirt', file.name), 'utf8');
              const args = adapted(argsOf(text), dir);
              const real = await runQemu(q.binary, args, { timeoutMs: RUNNING_AFTER_MS });
              const err: string[] = [];
              const model = qemuBinary(
                new Map([
                  ['qemu-version', q.release],
                  ['arch', arch],
                ]),
              );
              const outcome = runHotmem(model, args, { out: () => undefined, err: (t) => err.push(t) });
              const actual = {
                status: outcome.kind === 'exited' ? outcome.status : 'running',
                stderr: wallClock(err.join('')),
                memoryDevices: undefined as unknown,
              };
              const expected = { status: real.timedOut ? 'running' : real.code, stderr: wallClock(real.stderr), memoryDevices: undefined as unknown };
              if (actual.status === 'running' && expected.status === 'running') {
                const session = await QmpSession.start(q.binary, args);
                expected.memoryDevices = byId(await session.execute('query-memory-devices'));
                await session.quit();
                actual.memoryDevices = byId(hotmemMemoryDevices(q.release, arch, args));
              }
              if (known) assert.notDeepEqual(actual, expected, `QEMU ${q.release} and hotmem now agree: remove the known difference (${known.reason})`);
              else assert.deepEqual(actual, expected);
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
          });
        }
      });
    }
  });
}
