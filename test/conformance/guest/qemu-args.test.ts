import assert from 'node:assert/strict';
import { kernelCommandLine, qemuArguments, sizeArgument } from './qemu-args.js';
import { MEMFD_COMPAT, MOVABLE_CYCLE } from './scenarios.js';

const PATHS = {
  kernel: '/boot/vmlinuz',
  initrd: '/t/initramfs.cpio',
  consoleSocket: '/t,x/console.sock',
  pidFile: '/t/qemu.pid',
  backendFile: '/t/backend.mem',
};

describe('conformance/guest/qemu-args', () => {
  it('builds the command line of a scenario', () => {
    assert.deepEqual(qemuArguments(MOVABLE_CYCLE, PATHS), [
      '-machine',
      'q35,accel=tcg',
      '-m',
      '1G,maxmem=4G',
      '-smp',
      '1',
      '-no-reboot',
      '-chardev',
      'socket,id=console,path=/t,,x/console.sock',
      '-serial',
      'chardev:console',
      '-pidfile',
      '/t/qemu.pid',
      '-kernel',
      '/boot/vmlinuz',
      '-initrd',
      '/t/initramfs.cpio',
      '-append',
      'console=ttyS0 loglevel=1 panic=-1 memhp_default_state=online_movable',
      '-object',
      'memory-backend-ram,id=mem0,size=2G',
      '-device',
      'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0,unplugged-inaccessible=on',
      '-device',
      'virtio-balloon-pci,id=balloon0',
    ]);
  });

  it('leaves unplugged-inaccessible to the machine type when the scenario does', () => {
    const args = qemuArguments(MEMFD_COMPAT, PATHS);
    assert.equal(args[args.indexOf('-machine') + 1], 'pc-q35-6.2,accel=tcg');
    assert.equal(args[args.indexOf('-object') + 1], 'memory-backend-memfd,id=mem0,size=2G');
    assert.equal(args[args.indexOf('-device') + 1], 'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0');
    assert.ok(!args.includes('virtio-balloon-pci,id=balloon0'));
  });

  it('gives file backends their path and share=on when asked', () => {
    const scenario = { ...MOVABLE_CYCLE, virtioMem: { ...MOVABLE_CYCLE.virtioMem, backend: 'file', share: true } } as const;
    const args = qemuArguments(scenario, PATHS);
    assert.equal(args[args.indexOf('-object') + 1], 'memory-backend-file,id=mem0,size=2G,mem-path=/t/backend.mem,share=on');
  });

  it("turns on the balloon's free page reporting when the scenario asks for it", () => {
    const args = qemuArguments({ ...MOVABLE_CYCLE, freePageReporting: true }, PATHS);
    assert.equal(args.at(-1), 'virtio-balloon-pci,id=balloon0,free-page-reporting=on');
  });

  it('writes sizes with a suffix so that -m and size= read the same bytes', () => {
    assert.deepEqual([0, 1536 * 2 ** 20, 2 ** 30, 4096, 513].map(sizeArgument), ['0', '1536M', '1G', '4K', '513B']);
    assert.throws(() => sizeArgument(-1), /not a size/);
    assert.match(kernelCommandLine(MEMFD_COMPAT), /memhp_default_state=online_movable$/);
  });
});
