import assert from 'node:assert/strict';
import { parseConsoleLine, parseGuestReport, parseIomemLine, parseKernelLogLine, type ConsoleMessage } from './guest-report.js';

/** A report as Linux 6.1 printed it through init.sh (trimmed to a few blocks). */
const REPORT = `HOTMEM 3 begin
HOTMEM 3 meminfo MemTotal 1454608
HOTMEM 3 meminfo MemFree 1408372
HOTMEM 3 meminfo MemAvailable 1299672
HOTMEM 3 vmstat pgmigrate_success 65536
HOTMEM 3 block-size 8000000
HOTMEM 3 block 0 online none
HOTMEM 3 block 33 online Movable
HOTMEM 3 block 7 online DMA32
HOTMEM 3 block 40 offline Normal,Movable
HOTMEM 3 virtio virtio0 0x0018 0x0000000f 1100000000000000000000000000110010000000100000000000000000000000 virtio_mem
HOTMEM 3 virtio virtio1 0x0005 0x00000003 0100000000000000000000000000010010000000100000000000000000000000 none
HOTMEM 3 iomem     febf8000-febfbfff : virtio-pci-modern
HOTMEM 3 iomem 100000000-17fffffff : virtio0
HOTMEM 3 iomem   100000000-11fffffff : System RAM (virtio_mem)
HOTMEM 3 dmesg <6>[    3.164352] virtio_mem virtio0: requested size: 0x20000000
HOTMEM 3 dmesg <6>[    3.192371] Fallback order for Node 0: 0 
HOTMEM 3 end`;

const messages = (text: string): ConsoleMessage[] => text.split('\n').map((l) => parseConsoleLine(l)!);

describe('conformance/guest/guest-report', () => {
  it('finds a protocol line behind firmware escape sequences', () => {
    assert.deepEqual(parseConsoleLine('oc\x1b[?7l\x1b[2JHOTMEM 0 ready 6.1.0-56-cloud-amd64'), {
      seq: 0,
      kind: 'ready',
      rest: '6.1.0-56-cloud-amd64',
    });
    assert.equal(parseConsoleLine('Booting from ROM...'), null);
  });

  it('decodes a whole report', () => {
    const view = parseGuestReport(messages(REPORT));
    assert.deepEqual(
      [view.memTotalKiB, view.memFreeKiB, view.memAvailableKiB, view.migratedPages, view.memoryBlockSize],
      [1454608, 1408372, 1299672, 65536, 128 * 2 ** 20],
    );
    assert.deepEqual(view.memoryBlocks, [
      { index: 0, state: 'online', zones: [] },
      { index: 7, state: 'online', zones: ['DMA32'] },
      { index: 33, state: 'online', zones: ['Movable'] },
      { index: 40, state: 'offline', zones: ['Normal', 'Movable'] },
    ]);
    assert.deepEqual(view.virtioDevices, [
      { name: 'virtio0', deviceId: 24, status: 15, features: [0, 1, 28, 29, 32, 40], driver: 'virtio_mem' },
      { name: 'virtio1', deviceId: 5, status: 3, features: [1, 29, 32, 40], driver: null },
    ]);
    assert.deepEqual(view.iomem, [
      { depth: 2, start: 0xfebf8000, end: 0xfebfbfff, name: 'virtio-pci-modern' },
      { depth: 0, start: 0x100000000, end: 0x17fffffff, name: 'virtio0' },
      { depth: 1, start: 0x100000000, end: 0x11fffffff, name: 'System RAM (virtio_mem)' },
    ]);
    assert.deepEqual(view.kernelLog, [
      { level: 6, atSeconds: 3.164352, text: 'virtio_mem virtio0: requested size: 0x20000000' },
      { level: 6, atSeconds: 3.192371, text: 'Fallback order for Node 0: 0 ' },
    ]);
  });

  it('refuses reports it cannot read fully', () => {
    const without = (needle: string): ConsoleMessage[] =>
      messages(
        REPORT.split('\n')
          .filter((line) => !line.includes(needle))
          .join('\n'),
      );
    assert.throws(() => parseGuestReport(without(' MemTotal ')), /no MemTotal/);
    assert.throws(() => parseGuestReport(without(' block-size ')), /no memory block size/);
    assert.throws(() => parseGuestReport(without(' vmstat ')), /no pgmigrate_success/);
    assert.throws(() => parseGuestReport(messages('HOTMEM 3 block 32 online')), /'block' wants index state zones/);
    assert.throws(() => parseGuestReport(messages('HOTMEM 3 frob 1')), /unexpected 'frob'/);
    assert.throws(() => parseGuestReport(messages('HOTMEM 3 virtio virtio0 0x18 0xf 10x1 none')), /bad feature string/);
  });

  it('reads printk levels and /proc/iomem nesting', () => {
    assert.deepEqual(parseKernelLogLine('<4>[   12.500000] WARNING: x'), { level: 4, atSeconds: 12.5, text: 'WARNING: x' });
    assert.throws(() => parseKernelLogLine('[ 1.0] no level'), /not a dmesg -r line/);
    assert.deepEqual(parseIomemLine('    fe000000-fe003fff : 0000:00:02.0'), {
      depth: 2,
      start: 0xfe000000,
      end: 0xfe003fff,
      name: '0000:00:02.0',
    });
  });
});
