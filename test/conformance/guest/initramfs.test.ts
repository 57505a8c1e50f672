import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCpioNewc } from './cpio-reader.js';
import { buildInitramfs, GUEST_MODULES, INIT_SCRIPT, moduleLoadOrder, moduleName, readModule } from './initramfs.js';
import type { GuestHost } from './prerequisites.js';

/** The lines of Debian's 6.1.0-56-cloud-amd64 modules.dep that the guest's modules need. */
const MODULES_DEP = `kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_balloon.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_mem.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
`;

const LOAD_ORDER = [
  'kernel/drivers/virtio/virtio_pci_legacy_dev.ko',
  'kernel/drivers/virtio/virtio_pci_modern_dev.ko',
  'kernel/drivers/virtio/virtio_ring.ko',
  'kernel/drivers/virtio/virtio.ko',
  'kernel/drivers/virtio/virtio_pci.ko',
  'kernel/drivers/virtio/virtio_mem.ko',
  'kernel/drivers/virtio/virtio_balloon.ko',
];

describe('conformance/guest/initramfs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotmem-initramfs-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every module after the modules it needs, each once', () => {
    assert.deepEqual(moduleLoadOrder(MODULES_DEP, GUEST_MODULES), LOAD_ORDER);
    assert.throws(() => moduleLoadOrder(MODULES_DEP, ['virtio_frob']), /virtio_frob is not in modules.dep/);
  });

  it('skips what modules.builtin lists (virtio_pci is built in from 6.12)', () => {
    const order = moduleLoadOrder(MODULES_DEP, GUEST_MODULES, 'kernel/drivers/virtio/virtio_pci.ko\nkernel/fs/ext4/ext4.ko\n');
    assert.ok(!order.some((p) => moduleName(p) === 'virtio_pci'), order.join(' '));
    assert.ok(order.some((p) => moduleName(p) === 'virtio_mem'));
  });

  it('names modules as modprobe does', () => {
    assert.equal(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko'), 'virtio_rng');
    assert.equal(moduleName('kernel/drivers/virtio/virtio_mem.ko.xz'), 'virtio_mem');
  });

  it('archives busybox, init.sh, /dev/console and the modules with their load order', () => {
    const modulesDir = join(dir, 'modules');
    mkdirSync(join(modulesDir, 'kernel/drivers/virtio'), { recursive: true });
    writeFileSync(join(modulesDir, 'modules.dep'), MODULES_DEP);
    for (const path of LOAD_ORDER) writeFileSync(join(modulesDir, path), `module ${moduleName(path)}`);
    writeFileSync(join(dir, 'busybox'), 'busybox binary');
    const host: GuestHost = {
      suite: 'bookworm',
      kernelSuite: 'bookworm',
      qemu: 'unused',
      qemuRelease: '7.2',
      kernelSeries: '6.1',
      busybox: join(dir, 'busybox'),
      kernel: { release: '6.1.0-test', image: 'unused', modulesDir },
    };

    const members = readCpioNewc(readFileSync(buildInitramfs(host, dir)));
    const file = (name: string): string | undefined => members.find((m) => m.name === name)?.data.toString();
    assert.equal(file('init'), readFileSync(INIT_SCRIPT, 'utf8'));
    assert.equal(file('bin/busybox'), 'busybox binary');
    assert.equal(file('etc/hotmem/modules'), LOAD_ORDER.map((p) => `${moduleName(p)}.ko\n`).join(''));
    for (const path of LOAD_ORDER) assert.equal(file(`lib/modules/${moduleName(path)}.ko`), `module ${moduleName(path)}`);
    const consoleNode = members.find((m) => m.name === 'dev/console')!;
    assert.deepEqual([consoleNode.rdevMajor, consoleNode.rdevMinor], [5, 1]);
  });

  it('unpacks xz-compressed modules, which busybox insmod cannot read', function () {
    const path = join(dir, 'm.ko');
    writeFileSync(path, 'ELF module bytes');
    if (spawnSync('xz', ['-z', path]).status !== 0) {
      console.log('      skipped: xz is not installed (Debian: apt-get install xz-utils)');
      this.skip();
    }
    assert.equal(readModule(`${path}.xz`).toString(), 'ELF module bytes');
    assert.throws(() => readModule(join(dir, 'm.ko.zst')), /unsupported module compression/);
  });
});
