/**
 * Bus addresses as QEMU 7.2 assigns them: PCI slots on the pc-i440fx and pc-q35 root buses
 * (first free slot, addr=, the board's and the default devices' slots, multifunction rules,
 * hotplug) and device numbers on the s390x virtual channel subsystem. Every expected address and
 * message here was read off real QEMU 7.2 (query-pci, info qtree, its stderr); the conformance
 * test test/conformance/pci-address.test.ts repeats a handful against the installed binary.
 */
import { machineVersion } from '../../src/machine/machine-type-reads.js';
import assert from 'node:assert/strict';
import { qemuBinary } from '../../src/cli/binary.js';
import { Machine, StartupError, type MachineOptions, type StartupItem } from '../../src/machine/index.js';
import { assignBusAddress, boardOccupants, busAddressErrors, cssDevPath, pciDevPath } from '../../src/machine/bus-address.js';
import { BUS_ADDRESS, parseCssDevId, parsePciDevfn, type PropertyInput } from '../../src/qom/index.js';
import { PC_I440FX, PC_Q35 } from '../../machines/pc/family.js';
import { deleteAndEject } from './fixtures.js';

const env = (release: string, arch: 'x86_64' | 's390x' = 'x86_64') =>
  qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', arch],
    ]),
  ).environment;

type DeviceItem = Extract<StartupItem, { kind: 'device' }>;

/** `-device <driver>,id=<id>,k=v,...` as the command line gives it. */
function device(spec: string): DeviceItem {
  const [driver, ...rest] = spec.split(',');
  const props = rest.map((kv) => ({ name: kv.slice(0, kv.indexOf('=')), value: kv.slice(kv.indexOf('=') + 1) }));
  const id = props.find((p) => p.name === 'id')?.value;
  return { kind: 'device', driver, ...(id === undefined ? {} : { id }), props: props.filter((p) => p.name !== 'id'), location: `-device ${spec}` };
}

const backends = (n: number): StartupItem[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'object', type: 'memory-backend-ram', id: `mem${i}`, props: [{ name: 'size', value: '256M' }] }));

interface PcCase {
  readonly what: string;
  readonly machine: string;
  readonly defaults?: MachineOptions['defaultDevices'];
  /** -machine usb=on: the board's USB controllers take their slots. */
  readonly usb?: boolean;
  readonly devices: readonly string[];
  /** qom-get <id> addr for each device, or the start-up error. */
  readonly expect: Readonly<Record<string, number>> | { readonly error: string };
}

const slot = (s: number, f = 0) => (s << 3) | f;

const PC_CASES: readonly PcCase[] = [
  // first free slot
  { what: 'q35 -nodefaults: the first free slot is 01', machine: 'pc-q35-7.2', devices: ['virtio-mem-pci,id=vm0,memdev=mem0'], expect: { vm0: slot(1) } },
  { what: 'i440fx -nodefaults: PIIX3 holds 01, so 02', machine: 'pc-i440fx-7.2', devices: ['virtio-mem-pci,id=vm0,memdev=mem0'], expect: { vm0: slot(2) } },
  {
    what: 'q35 with QEMU defaults: VGA 01, e1000e 02, so 03',
    machine: 'pc-q35-7.2',
    defaults: { vga: true, nic: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0'],
    expect: { vm0: slot(3) },
  },
  {
    what: 'i440fx with QEMU defaults: VGA 02, e1000 03, so 04',
    machine: 'pc-i440fx-7.2',
    defaults: { vga: true, nic: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0'],
    expect: { vm0: slot(4) },
  },
  {
    what: 'i440fx -vga none: the NIC takes 02',
    machine: 'pc-i440fx-7.2',
    defaults: { nic: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0'],
    expect: { vm0: slot(3) },
  },
  {
    what: 'i440fx -nic none: the VGA takes 02',
    machine: 'pc-i440fx-7.2',
    defaults: { vga: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0'],
    expect: { vm0: slot(3) },
  },
  {
    what: 'devices fill slots in command-line order',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-balloon-pci,id=b0', 'virtio-mem-pci,id=vm0,memdev=mem0', 'virtio-mem-pci,id=vm1,memdev=mem1'],
    expect: { b0: slot(2), vm0: slot(3), vm1: slot(4) },
  },
  // addr=
  {
    what: 'addr= is taken as given, and later devices fill the gaps',
    machine: 'pc-q35-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2', 'virtio-mem-pci,id=vm1,memdev=mem1', 'virtio-mem-pci,id=vm2,memdev=mem2'],
    expect: { vm0: slot(2), vm1: slot(1), vm2: slot(3) },
  },
  {
    what: 'addr=1f.4 next to the ICH9 functions',
    machine: 'pc-q35-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1f.4'],
    expect: { vm0: slot(0x1f, 4) },
  },
  { what: 'addr=0x1e (a 0x prefix is hex too)', machine: 'pc-q35-7.2', devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=0x1e'], expect: { vm0: slot(0x1e) } },
  {
    what: 'addr=1.2 beside PIIX3, which is multifunction',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1.2'],
    expect: { vm0: slot(1, 2) },
  },
  {
    what: 'a multifunction device at 2.0 lets 2.1 in',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2,multifunction=on', 'virtio-mem-pci,id=vm1,memdev=mem1,addr=2.1'],
    expect: { vm0: slot(2), vm1: slot(2, 1) },
  },
  {
    what: 'function 1 first, then a multifunction function 0',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2.1', 'virtio-mem-pci,id=vm1,memdev=mem1,addr=2.0,multifunction=on'],
    expect: { vm0: slot(2, 1), vm1: slot(2) },
  },
  // collisions
  {
    what: 'i440fx addr=1: PIIX3',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1'],
    expect: { error: 'PCI: slot 1 function 0 not available for virtio-mem-pci, in use by PIIX3,id=(null)' },
  },
  {
    what: 'i440fx addr=0: the host bridge',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=0'],
    expect: { error: 'PCI: slot 0 function 0 not available for virtio-mem-pci, in use by i440FX,id=(null)' },
  },
  {
    what: 'i440fx addr=1.1: the IDE function',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1.1'],
    expect: { error: 'PCI: slot 1 function 1 not available for virtio-mem-pci, in use by piix3-ide,id=(null)' },
  },
  {
    what: 'i440fx addr=1.3: the ACPI PM function',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1.3'],
    expect: { error: 'PCI: slot 1 function 3 not available for virtio-mem-pci, in use by PIIX4_PM,id=(null)' },
  },
  {
    what: 'q35 addr=0: the MCH',
    machine: 'pc-q35-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=0'],
    expect: { error: 'PCI: slot 0 function 0 not available for virtio-mem-pci, in use by mch,id=(null)' },
  },
  {
    what: 'q35 addr=0x1f: the LPC bridge (slots print in decimal)',
    machine: 'pc-q35-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=0x1f'],
    expect: { error: 'PCI: slot 31 function 0 not available for virtio-mem-pci, in use by ICH9-LPC,id=(null)' },
  },
  {
    what: 'q35 addr=1f.2: AHCI',
    machine: 'pc-q35-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1f.2'],
    expect: { error: 'PCI: slot 31 function 2 not available for virtio-mem-pci, in use by ich9-ahci,id=(null)' },
  },
  {
    what: 'q35 addr=1f.3: SMBus',
    machine: 'pc-q35-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1f.3'],
    expect: { error: 'PCI: slot 31 function 3 not available for virtio-mem-pci, in use by ICH9-SMB,id=(null)' },
  },
  {
    what: 'i440fx with defaults, addr=2: the default VGA',
    machine: 'pc-i440fx-7.2',
    defaults: { vga: true, nic: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2'],
    expect: { error: 'PCI: slot 2 function 0 not available for virtio-mem-pci, in use by VGA,id=(null)' },
  },
  {
    what: 'i440fx with defaults, addr=3: the default e1000',
    machine: 'pc-i440fx-7.2',
    defaults: { vga: true, nic: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=3'],
    expect: { error: 'PCI: slot 3 function 0 not available for virtio-mem-pci, in use by e1000,id=(null)' },
  },
  {
    what: 'q35 with defaults, addr=2: e1000e',
    machine: 'pc-q35-7.2',
    defaults: { vga: true, nic: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2'],
    expect: { error: 'PCI: slot 2 function 0 not available for virtio-mem-pci, in use by e1000e,id=(null)' },
  },
  {
    what: 'pc-q35-2.11 with defaults, addr=2: its default NIC was still e1000',
    machine: 'pc-q35-2.11',
    defaults: { vga: true, nic: true },
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2'],
    expect: { error: 'PCI: slot 2 function 0 not available for virtio-mem-pci, in use by e1000,id=(null)' },
  },
  {
    what: 'a user device holds its slot, by id',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0', 'virtio-mem-pci,id=vm1,memdev=mem1,addr=2'],
    expect: { error: 'PCI: slot 2 function 0 not available for virtio-mem-pci, in use by virtio-mem-pci,id=vm0' },
  },
  {
    what: 'an anonymous device holds its slot as id=(null)',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,memdev=mem0', 'virtio-mem-pci,id=vm1,memdev=mem1,addr=2'],
    expect: { error: 'PCI: slot 2 function 0 not available for virtio-mem-pci, in use by virtio-mem-pci,id=(null)' },
  },
  {
    what: 'the slot is refused before the memdev is (busy memdev at a taken slot)',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0', 'virtio-mem-pci,id=vm1,memdev=mem0,addr=2'],
    expect: { error: 'PCI: slot 2 function 0 not available for virtio-mem-pci, in use by virtio-mem-pci,id=vm0' },
  },
  {
    what: 'a misaligned memaddr is refused before the slot',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1,memaddr=0x100001'],
    expect: { error: 'address must be aligned to 0x200000 bytes' },
  },
  // multifunction
  {
    what: 'only function 0 decides a free slot: 2.3 taken, the next device gets 2.0 and is refused',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2.3', 'virtio-mem-pci,id=vm1,memdev=mem1'],
    expect: { error: 'PCI: 2.0 indicates single function, but 2.3 is already populated.' },
  },
  {
    what: 'function 1 behind a single-function function 0',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2', 'virtio-mem-pci,id=vm1,memdev=mem1,addr=2.1'],
    expect: { error: "PCI: single function device can't be populated in function 2.1" },
  },
  {
    what: 'the multifunction check comes before the memdev check',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2', 'virtio-mem-pci,id=vm1,memdev=mem0,addr=2.1'],
    expect: { error: "PCI: single function device can't be populated in function 2.1" },
  },
  {
    what: 'a single-function function 0 after function 1',
    machine: 'pc-i440fx-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=2.1', 'virtio-mem-pci,id=vm1,memdev=mem1,addr=2'],
    expect: { error: 'PCI: 2.0 indicates single function, but 2.1 is already populated.' },
  },
  {
    what: 'q35 addr=0.1 beside the MCH',
    machine: 'pc-q35-7.2',
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=0.1'],
    expect: { error: "PCI: single function device can't be populated in function 0.1" },
  },
  // -machine usb=on (real 10.0's info qtree: piix3-usb-uhci 01.2; ich9-usb-uhci1-3 1d.0-2, ich9-usb-ehci1 1d.7)
  {
    what: 'usb=on: the UHCI holds 1.2',
    machine: 'pc-i440fx-7.2',
    usb: true,
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1.2'],
    expect: { error: 'PCI: slot 1 function 2 not available for virtio-mem-pci, in use by piix3-usb-uhci,id=(null)' },
  },
  { what: 'usb=off: 1.2 is free', machine: 'pc-i440fx-7.2', usb: false, devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1.2'], expect: { vm0: slot(1, 2) } },
  {
    what: 'usb=on: the EHCI holds 1d.7',
    machine: 'pc-q35-7.2',
    usb: true,
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1d.7'],
    expect: { error: 'PCI: slot 29 function 7 not available for virtio-mem-pci, in use by ich9-usb-ehci1,id=(null)' },
  },
  {
    what: 'usb=on: 1d.3 is free beside the USB functions',
    machine: 'pc-q35-7.2',
    usb: true,
    devices: ['virtio-mem-pci,id=vm0,memdev=mem0,addr=1d.3'],
    expect: { vm0: slot(0x1d, 3) },
  },
  // opaque devices (types hotmem has no model of) take their PCI slots as any PCI device
  {
    what: "libvirt's USB controller at 1.2, then the first free slot",
    machine: 'pc-i440fx-7.2',
    devices: ['piix3-usb-uhci,id=usb,addr=0x1.0x2', 'i6300esb,id=wd'],
    expect: { usb: slot(1, 2), wd: slot(2) },
  },
  {
    what: 'a device on a bus hotmem does not model',
    machine: 'pc-i440fx-7.2',
    devices: ['isa-serial'],
    expect: { error: "hotmem models no 'ISA' bus on this machine, so device 'isa-serial' has none to go on" },
  },
  {
    what: 'a USB device without a USB controller',
    machine: 'pc-i440fx-7.2',
    devices: ['usb-tablet'],
    expect: { error: "No 'usb-bus' bus found for device 'usb-tablet'" },
  },
  // invalid addr
  ...['0x20', '1f.8', 'foo', '-1', '', '3 '].map((addr): PcCase => ({
    what: `addr=${addr} is not an address`,
    machine: 'pc-q35-7.2',
    devices: [`virtio-mem-pci,id=vm0,memdev=mem0,addr=${addr}`],
    expect: { error: `Property 'virtio-mem-pci.addr' doesn't take value '${addr}'` },
  })),
];

function startPc(c: Pick<PcCase, 'machine' | 'defaults' | 'usb' | 'devices'>) {
  return Machine.start(
    {
      release: '7.2',
      arch: 'x86_64',
      machine: c.machine,
      memory: '128M,maxmem=2G',
      ...(c.defaults ? { defaultDevices: c.defaults } : {}),
      ...(c.usb === undefined ? {} : { machineProps: [{ name: 'usb', value: c.usb ? 'on' : 'off' }] }),
      items: [...backends(3), ...c.devices.map(device)],
    },
    env('7.2'),
  ).machine;
}

describe('machine/bus-address: PCI slots on the pc root buses', () => {
  for (const c of PC_CASES) {
    it(`${c.machine}: ${c.what}`, () => {
      if ('error' in c.expect) {
        const error = c.expect.error;
        assert.throws(
          () => startPc(c),
          (e: unknown) => e instanceof StartupError && e.message === error && e.location === `-device ${String(c.devices.at(-1))}`,
        );
        return;
      }
      const machine = startPc(c);
      for (const [id, devfn] of Object.entries(c.expect)) assert.equal(machine.model.resolvePath(id)!.get('addr'), devfn, id);
    });
  }

  it('gives each device its dev path, and the virtio device inside takes its proxy’s', () => {
    const machine = startPc({ machine: 'pc-q35-7.2', devices: ['virtio-mem-pci,id=vm0,memdev=mem0', 'virtio-mem-pci,id=vm1,memdev=mem1,addr=1e.0'] });
    const vm0 = machine.model.resolvePath('vm0')!;
    assert.equal(machine.devPath(vm0), '0000:00:01.0');
    assert.equal(machine.devPath(vm0.child('virtio-backend')!), '0000:00:01.0');
    assert.equal(machine.devPath(machine.model.resolvePath('vm1')!), '0000:00:1e.0');
    assert.equal(machine.devPath(machine.object), undefined, 'the machine sits on no bus');
  });

  it('hotplug (i440fx): the first free slot, function 0 must come last, and an unplugged slot is free again', () => {
    const machine = startPc({ machine: 'pc-i440fx-7.2', devices: ['virtio-mem-pci,id=vm0,memdev=mem0'] });
    machine.addDevice({ kind: 'device', driver: 'virtio-balloon-pci', id: 'b0', props: [] });
    assert.equal(machine.model.resolvePath('b0')!.get('addr'), slot(3));
    assert.throws(
      () =>
        machine.addDevice({
          kind: 'device',
          driver: 'virtio-mem-pci',
          id: 'vm1',
          props: [
            { name: 'memdev', value: 'mem1' },
            { name: 'addr', value: '2.1' },
          ],
        }),
      { message: 'PCI: slot 2 function 0 already occupied by virtio-mem-pci, new func virtio-mem-pci cannot be exposed to guest.' },
    );
    deleteAndEject(machine, 'b0');
    machine.addDevice({ kind: 'device', driver: 'virtio-mem-pci', id: 'vm1', props: [{ name: 'memdev', value: 'mem1' }] });
    assert.equal(machine.model.resolvePath('vm1')!.get('addr'), slot(3), 'b0’s slot, free again');
  });

  it('a device that fails to realize leaves its slot free', () => {
    const machine = startPc({ machine: 'pc-i440fx-7.2', devices: [] });
    // requested-size=1 is not a multiple of the block size: realize fails after the slot was chosen.
    assert.throws(() =>
      machine.addDevice({
        kind: 'device',
        driver: 'virtio-mem-pci',
        id: 'vm0',
        props: [
          { name: 'memdev', value: 'mem0' },
          { name: 'requested-size', value: '1' },
        ],
      }),
    );
    machine.addDevice({ kind: 'device', driver: 'virtio-mem-pci', id: 'vm0', props: [{ name: 'memdev', value: 'mem0' }] });
    assert.equal(machine.model.resolvePath('vm0')!.get('addr'), slot(2));
  });
});

describe('machine/bus-address: assignment rules', () => {
  const R72 = { major: 7, minor: 2 };
  const i440fx = PC_I440FX.rootBuses(machineVersion(R72, undefined))[0]!.addressing!;
  const q35 = PC_Q35.rootBuses(machineVersion(R72, undefined))[0]!.addressing!;

  it('runs out of slots as QEMU says', () => {
    const occupants = [...boardOccupants(q35, false)];
    for (let s = 1; s < 31; s++) occupants.push({ address: { kind: 'pci', devfn: slot(s), devPath: '' }, type: 'x', id: undefined, multifunction: false });
    assert.throws(() => assignBusAddress(q35, { type: 'virtio-mem-pci', hotplugged: false }, occupants, R72), {
      message: 'PCI: no slot/function available for virtio-mem-pci, all in use or reserved',
    });
  });

  it("names the slot's user, and from 7.0 its id ((null) when anonymous)", () => {
    const board = boardOccupants(i440fx, false);
    const message = (release: { major: number; minor: number }) => {
      try {
        assignBusAddress(i440fx, { type: 'virtio-mem-pci', hotplugged: false, devfn: slot(1) }, board, release);
      } catch (e) {
        return (e as Error).message;
      }
      return 'placed';
    };
    assert.equal(message({ major: 6, minor: 2 }), 'PCI: slot 1 function 0 not available for virtio-mem-pci, in use by PIIX3');
    assert.equal(message({ major: 7, minor: 0 }), 'PCI: slot 1 function 0 not available for virtio-mem-pci, in use by PIIX3,id=(null)');
  });

  it("below a PCIe port, slot 0's function 0 is every function's (pci_get_function_0)", () => {
    const port = { kind: 'pci' as const, busPath: '0000:00:02.0', board: [], usb: [], port: true };
    const occupants = [{ address: { kind: 'pci' as const, devfn: 0, devPath: '0000:00:02.0:00.0' }, type: 'virtio-rng-pci', id: 'r', multifunction: true }];
    assert.throws(() => assignBusAddress(port, { type: 'virtio-balloon-pci', hotplugged: true, devfn: slot(1) }, occupants, R72), {
      message: 'PCI: slot 0 function 0 already occupied by virtio-rng-pci, new func virtio-balloon-pci cannot be exposed to guest.',
    });
    assert.deepEqual(
      assignBusAddress(port, { type: 'virtio-balloon-pci', hotplugged: false, devfn: slot(1), express: true }, occupants, { major: 8, minor: 1 }).warnings,
      [busAddressErrors.warning('pci.port-slot', { slot: 1, type: 'virtio-balloon-pci' })],
    );
  });

  it('names paths on the root bus "0000:00:SS.F"', () => {
    assert.equal(pciDevPath('0000:00', slot(0x1f, 4)), '0000:00:1f.4');
    assert.deepEqual(assignBusAddress(i440fx, { type: 't', hotplugged: false }, boardOccupants(i440fx, false), R72), {
      address: { kind: 'pci', devfn: 16, devPath: '0000:00:02.0' },
      warnings: [],
    });
  });

  it('numbers CCW devices in the virtual css: first free subchannel, then the first free devno from it', () => {
    const css = { kind: 'css' as const, defaultCssid: 0xfe };
    const placed: Parameters<typeof assignBusAddress>[2][number][] = [];
    const plug = (devno?: string) => {
      const { address } = assignBusAddress(
        css,
        { type: 'virtio-mem-ccw', hotplugged: false, ...(devno ? { devno: parseCssDevId('virtio-mem-ccw', 'devno', devno) } : {}) },
        placed,
        R72,
      );
      placed.push({ address, type: 'virtio-mem-ccw', id: undefined, multifunction: false });
      return address;
    };
    // Real 7.2: auto, devno=fe.0.0005, auto -> fe.0.0000, fe.0.0005, fe.0.0002 (subchannels 0, 1, 2).
    assert.deepEqual(plug(), { kind: 'ccw', id: { cssid: 0xfe, ssid: 0, devno: 0 }, schid: 0, devPath: '/fe.0.0000' });
    assert.deepEqual(plug('fe.0.0005'), { kind: 'ccw', id: { cssid: 0xfe, ssid: 0, devno: 5 }, schid: 1, devPath: '/fe.0.0005' });
    assert.deepEqual(plug(), { kind: 'ccw', id: { cssid: 0xfe, ssid: 0, devno: 2 }, schid: 2, devPath: '/fe.0.0002' });
    assert.throws(() => plug('fe.0.0005'), { message: 'Device fe.0.0005 already exists' });
    assert.equal(plug('0.0.0001').devPath, '/00.0.0001');
    assert.equal(cssDevPath({ cssid: 0xfe, ssid: 3, devno: 0xffff }), '/fe.3.ffff');
    assert.equal(busAddressErrors.error('css.full').message, 'Virtual channel subsystem is full!');
  });
});

describe('machine/bus-address: the addr and devno properties', () => {
  const text = (t: string): PropertyInput => ({ source: 'text', text: t, visitor: 'keyval' });
  const R72 = { major: 7, minor: 2 };
  const json = (j: unknown): PropertyInput => ({ source: 'json', json: j });
  const ADDR: ReadonlyArray<readonly [string, PropertyInput, number | string]> = [
    ['3', text('3'), 24],
    ['03.0', text('03.0'), 24],
    ['0x3', text('0x3'), 24],
    ['3.1', text('3.1'), 25],
    ['1f.7', text('1f.7'), 255],
    [' 3 (scanf skips leading white space)', text(' 3'), 24],
    ['+3', text('+3'), 24],
    ['3 ', text('3 '), "Property 'virtio-mem-pci.addr' doesn't take value '3 '"],
    ['20 (hex: slot 32)', text('20'), "Property 'virtio-mem-pci.addr' doesn't take value '20'"],
    ['3.', text('3.'), "Property 'virtio-mem-pci.addr' doesn't take value '3.'"],
    ['JSON 8 (a devfn)', json(8), 8],
    ['JSON -1 (auto)', json(-1), -1],
    ['JSON "3.1"', json('3.1'), 25],
    ['JSON 300', json(300), "Parameter 'addr' expects a value between -1 and 255"],
    ['JSON -2', json(-2), "Parameter 'addr' expects a value between -1 and 255"],
    ['JSON 2147483648', json(2147483648), "Parameter 'addr' expects int32_t"],
    ['JSON 3.5', json(3.5), "Invalid parameter type for 'addr', expected: integer"],
    ['JSON true', json(true), "Invalid parameter type for 'addr', expected int or str"],
    ['JSON null', json(null), "Invalid parameter type for 'addr', expected int or str"],
  ];
  for (const [what, input, expected] of ADDR) {
    it(`addr ${what}`, () => {
      if (typeof expected === 'number') assert.equal(parsePciDevfn('virtio-mem-pci', 'addr', input, R72), expected);
      else assert.throws(() => parsePciDevfn('virtio-mem-pci', 'addr', input, R72), { message: expected });
    });
  }

  it('addr through -global: QEMU 7.2 aborts, hotmem refuses', () => {
    assert.throws(
      () => parsePciDevfn('virtio-mem-pci', 'addr', { source: 'text', text: '5', visitor: 'string' }, R72),
      (e: unknown) => (e as { code?: string }).code === 'qdev.prop-aborts',
    );
  });

  it('addr through the string visitor before 6.2 (-device in 5.2): parsed as text', () =>
    assert.equal(parsePciDevfn('virtio-mem-pci', 'addr', { source: 'text', text: '1.2', visitor: 'string' }, { major: 5, minor: 2 }), slot(1, 2)));

  const DEVNO: ReadonlyArray<readonly [string, string | { cssid: number; ssid: number; devno: number }]> = [
    ['fe.0.0001', { cssid: 0xfe, ssid: 0, devno: 1 }],
    ['FE.3.ffff', { cssid: 0xfe, ssid: 3, devno: 0xffff }],
    ['0.0.0001', { cssid: 0, ssid: 0, devno: 1 }],
    ['fe.0.1', "Property 'virtio-mem-ccw.devno' doesn't take value 'fe.0.1'"],
    ['0xfe.0.0001', "Property 'virtio-mem-ccw.devno' doesn't take value '0xfe.0.0001'"],
    ['fe.0.00001', "Property 'virtio-mem-ccw.devno' doesn't take value 'fe.0.00001'"],
    ['fe.4.0001', 'Invalid cssid or ssid: cssid fe, ssid 4'],
  ];
  for (const [input, expected] of DEVNO) {
    it(`devno ${input}`, () => {
      if (typeof expected === 'string') assert.throws(() => parseCssDevId('virtio-mem-ccw', 'devno', input), { message: expected });
      else assert.deepEqual(parseCssDevId('virtio-mem-ccw', 'devno', input), expected);
    });
  }
});

describe('machine/bus-address: CCW device numbers on s390-ccw-virtio', () => {
  const start = (devices: readonly string[], defaults?: MachineOptions['defaultDevices']) =>
    Machine.start(
      {
        release: '10.0',
        arch: 's390x',
        memory: '1G,maxmem=4G',
        ...(defaults ? { defaultDevices: defaults } : {}),
        items: [...backends(3), ...devices.map(device)],
      },
      env('10.0', 's390x'),
    ).machine;
  const ids = (m: Machine, id: string) => {
    const d = m.model.resolvePath(id)!;
    return [d.get('devno'), d.get('dev_id'), d.get('subch_id')];
  };

  it('auto, devno=, auto: as real QEMU numbers them', () => {
    const m = start(['virtio-mem-ccw,id=vm0,memdev=mem0', 'virtio-mem-ccw,id=vm1,memdev=mem1,devno=fe.0.0005', 'virtio-mem-ccw,id=vm2,memdev=mem2']);
    assert.deepEqual(ids(m, 'vm0'), ['<unset>', 'fe.0.0000', 'fe.0.0000']);
    assert.deepEqual(ids(m, 'vm1'), ['fe.0.0005', 'fe.0.0005', 'fe.0.0001']);
    assert.deepEqual(ids(m, 'vm2'), ['<unset>', 'fe.0.0002', 'fe.0.0002']);
    assert.equal(m.model.resolvePath('vm1')!.slots.get(BUS_ADDRESS)?.devPath, '/fe.0.0005');
  });

  it('the default virtio-net-ccw takes fe.0.0000 without -nodefaults', () => {
    assert.deepEqual(ids(start(['virtio-mem-ccw,id=vm0,memdev=mem0'], { nic: true }), 'vm0'), ['<unset>', 'fe.0.0001', 'fe.0.0001']);
  });

  it('refuses a device number in use', () => {
    assert.throws(() => start(['virtio-mem-ccw,id=vm0,memdev=mem0', 'virtio-mem-ccw,id=vm1,memdev=mem1,devno=fe.0.0000']), {
      message: 'Device fe.0.0000 already exists',
    });
  });
});
