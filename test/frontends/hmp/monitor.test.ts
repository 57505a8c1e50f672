import assert from 'node:assert/strict';
import { hotmemTranscript, type Reply } from '../../conformance/transcripts.js';

const line = (release: string, args: readonly string[], commandLine: string, arch: 'x86_64' | 's390x' = 'x86_64'): Reply =>
  hotmemTranscript(release, args, [['human-monitor-command', { 'command-line': commandLine }]], arch).replies[0]!;
const text = (t: string): Reply => ({ return: t });
const error = (desc: string): Reply => ({ error: { class: 'GenericError', desc } });

const DEVICES = [
  '-m',
  '1G,slots=2,maxmem=4G',
  '-object',
  'memory-backend-ram,id=m0,size=1G',
  '-object',
  'memory-backend-memfd,id=m1,size=512M,share=on,host-nodes=0-1:3,policy=bind',
  '-object',
  'memory-backend-ram,id=d0,size=256M',
  '-numa',
  'node,memdev=m0',
  '-device',
  'virtio-mem-pci,id=vm0,memdev=m1',
  '-device',
  'pc-dimm,id=dimm0,memdev=d0',
];

/** Each answer as the release's binary gives it (conformance: test/conformance/hmp.test.ts). */
const CASES: ReadonlyArray<readonly [release: string, args: readonly string[], commandLine: string, reply: Reply, arch?: 's390x']> = [
  ['10.0', [], '', text('')],
  ['10.0', [], 'frob', text("unknown command: 'frob'\r\n")],
  ['10.0', [], 'info frob', text("unknown command: 'info frob'\r\n")],
  ['10.0', [], 'info status extra', text('status: extraneous characters at the end of line\r\nTry "help info status" for more information\r\n')],
  ['10.0', [], 'info status', text('VM status: paused (prelaunch)\r\n')],
  ['10.0', [], 'info balloon', text('Error: No balloon device has been activated\r\n')],
  ['10.0', [], 'balloon', text('unexpected end of expression\r\nTry "help balloon" for more information\r\n')],
  ['10.0', [], 'info kvm', text('kvm support: disabled\r\n')],
  ['10.0', [], 'info kvm', text('kvm support: not compiled\r\n'), 's390x'],
  ['10.0', [], 'info numa', text('0 nodes\r\n')],
  ['10.0', [], 'info name', text('')],
  ['7.2', ['-machine', 'q35', ...DEVICES], 'info memory_size_summary', text('base memory: 1073741824\r\nplugged memory: 268435456\r\n')],
  ['7.2', ['-machine', 'q35', ...DEVICES], 'info numa', text('1 nodes\r\nnode 0 cpus: 0\r\nnode 0 size: 1280 MB\r\nnode 0 plugged: 256 MB\r\n')],
  [
    '7.2',
    ['-machine', 'q35', ...DEVICES],
    'info memory-devices',
    text(
      'Memory device [virtio-mem]: "vm0"\r\n  memaddr: 0x100000000\r\n  node: 0\r\n  requested-size: 0\r\n  size: 0\r\n  max-size: 536870912\r\n' +
        '  block-size: 2097152\r\n  memdev: /objects/m1\r\nMemory device [dimm]: "dimm0"\r\n  addr: 0x120000000\r\n  slot: 0\r\n  node: 0\r\n' +
        '  size: 268435456\r\n  memdev: /objects/d0\r\n  hotplugged: false\r\n  hotpluggable: true\r\n',
    ),
  ],
  [
    '5.2',
    ['-M', 'pc', '-device', 'VGA,vgamem_mb=4', '-object', 'memory-backend-file,id=f,size=8M,mem-path=/tmp/hotmem-rb,share=on'],
    'info ramblock',
    text(
      [
        '              Block Name    PSize              Offset               Used              Total',
        '                  pc.ram    4 KiB  0x0000000000800000 0x0000000008000000 0x0000000008000000',
        '                            4 KiB  0x0000000000000000 0x0000000000800000 0x0000000000800000',
        '   0000:00:02.0/vga.vram    4 KiB  0x0000000008880000 0x0000000000400000 0x0000000000400000',
        '    /rom@etc/acpi/tables    4 KiB  0x0000000008cc0000 0x0000000000020000 0x0000000000200000',
        '                 pc.bios    4 KiB  0x0000000008800000 0x0000000000040000 0x0000000000040000',
        '                  pc.rom    4 KiB  0x0000000008840000 0x0000000000020000 0x0000000000020000',
        '    0000:00:02.0/vga.rom    4 KiB  0x0000000008c80000 0x0000000000010000 0x0000000000010000',
        '   /rom@etc/table-loader    4 KiB  0x0000000008ec0000 0x0000000000001000 0x0000000000001000',
        '      /rom@etc/acpi/rsdp    4 KiB  0x0000000008f00000 0x0000000000001000 0x0000000000001000',
        '',
      ].join('\r\n'),
    ),
  ],
  // 8.0 on: the host address (the modelled process's mapping; firmware is not mapped there) and ro/rw.
  [
    '10.0',
    ['-M', 'pc', '-device', 'VGA,vgamem_mb=4', '-object', 'memory-backend-file,id=f,size=8M,mem-path=/tmp/hotmem-rb,share=on,readonly=on'],
    'info ramblock',
    text(
      [
        '              Block Name    PSize              Offset               Used              Total                HVA  RO',
        '                  pc.ram    4 KiB  0x0000000000800000 0x0000000008000000 0x0000000008000000 0x0000100000800000  rw',
        '                            4 KiB  0x0000000000000000 0x0000000000800000 0x0000000000800000 0x0000100000000000  ro',
        '   0000:00:02.0/vga.vram    4 KiB  0x0000000008880000 0x0000000000400000 0x0000000000400000 0x0000000000000000  rw',
        '    /rom@etc/acpi/tables    4 KiB  0x0000000008cc0000 0x0000000000020000 0x0000000000200000 0x0000000000000000  ro',
        '                 pc.bios    4 KiB  0x0000000008800000 0x0000000000040000 0x0000000000040000 0x0000000000000000  ro',
        '                  pc.rom    4 KiB  0x0000000008840000 0x0000000000020000 0x0000000000020000 0x0000000000000000  ro',
        '    0000:00:02.0/vga.rom    4 KiB  0x0000000008c80000 0x0000000000010000 0x0000000000010000 0x0000000000000000  ro',
        '   /rom@etc/table-loader    4 KiB  0x0000000008ec0000 0x0000000000001000 0x0000000000010000 0x0000000000000000  ro',
        '      /rom@etc/acpi/rsdp    4 KiB  0x0000000008f00000 0x0000000000001000 0x0000000000001000 0x0000000000000000  ro',
        '',
      ].join('\r\n'),
    ),
  ],
  ['10.0', [], 'info mtree', error("hotmem does not model the HMP command 'info mtree'")],
  ['10.0', [], 'memsave 0 4096 /tmp/m', error("hotmem does not model the HMP command 'memsave'")],
  ['9.0', [], 'info status', error('hotmem has no HMP command table for release 9.0')],
];

describe('frontends/hmp/monitor: human-monitor-command', () => {
  for (const [release, args, commandLine, reply, arch] of CASES) {
    it(`${release}${arch ? ` ${arch}` : ''} ${JSON.stringify(commandLine)}${args.length ? ' (devices)' : ''}`, () =>
      assert.deepEqual(line(release, args, commandLine, arch), reply));
  }

  it("info memdev prints host-nodes as the string visitor's ranges, share and reserve from 6.1", () => {
    const page = (release: string) => (line(release, ['-machine', 'q35', ...DEVICES], 'info memdev') as { return: string }).return;
    assert.match(
      page('10.0'),
      /memory backend: m1\r\n {2}size: {2}536870912\r\n(.*\r\n){3} {2}share: true\r\n {2}reserve: true\r\n {2}policy: bind\r\n {2}host nodes: 0-1,3\r\n/,
    );
    assert.doesNotMatch(page('5.2'), /share|reserve/);
  });
});
