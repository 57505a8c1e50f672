import assert from 'node:assert/strict';
import { VIRTIO_MEM_RUNTIME } from '../../../devices/virtio-mem/index.js';
import { encodeRequest } from '../../../devices/virtio-mem/request.js';
import { toQmpError } from '../../../src/frontends/qmp/errors.js';
import { ramDiscardCoordination } from '../../../src/machine/discard-coordination.js';
import { RAM_BLOCK } from '../../../src/machine/ram-block.js';
import type { Machine } from '../../../src/machine/machine.js';
import { Host } from '../../../src/host/host.js';
import { FeatureSet } from '../../../src/virtio/feature-set.js';
import { handshake, inflate, startBalloon } from '../virtio-balloon/helpers.js';
import { device, GiB, HOST_DEVICES, MiB, object, outcome, startOn } from './helpers.js';

const vfio = (text: string, id = 'hostdev0') => device('vfio-pci', id, text);
const mem = (size = '4G', extra = '') => [object('memory-backend-ram', 'mem0', `size=${size}`), device('virtio-mem-pci', 'vm0', `memdev=mem0${extra}`)];

describe('devices/vfio-pci: realize against the host', () => {
  const BUSY = 'Cannot set discarding of RAM broken: Device or resource busy';
  // release, properties → QEMU's refusal, or 'started'
  const CASES: ReadonlyArray<readonly [string, string, string]> = [
    ['5.2', '', 'No provided host device\nUse -device vfio-pci,host=DDDD:BB:DD.F or -device vfio-pci,sysfsdev=PATH_TO_DEVICE'],
    ['7.2', '', 'No provided host device\nUse -device vfio-pci,host=DDDD:BB:DD.F or -device vfio-pci,sysfsdev=PATH_TO_DEVICE'],
    [
      '11.1',
      '',
      'No provided host device\nUse -device vfio-pci,host=DDDD:BB:DD.F or -device vfio-pci,fd=DEVICE_FD or -device vfio-pci,sysfsdev=PATH_TO_DEVICE',
    ],
    ['10.0', 'host=0000:00:1f.0', 'vfio /sys/bus/pci/devices/0000:00:1f.0: no such host device: No such file or directory'],
    ['10.0', 'host=zz', "Property 'vfio-pci.host' doesn't take value 'zz'"],
    ['10.0', 'host=3:0.0', 'vfio 0000:03:00.0: no iommu_group found: No such file or directory'],
    ['10.0', 'sysfsdev=/tmp', 'vfio /tmp: no such host device: No such file or directory'],
    ['10.0', 'host=01:00.0', 'started'],
    ['10.0', 'host=0000:00:1f.0,sysfsdev=/sys/bus/pci/devices/0000:02:00.0', 'started'],
    ['10.0', 'sysfsdev=/sys/bus/pci/devices/0000:01:00.0/', 'started'],
    ['10.0', 'host=01:00.0,x-balloon-allowed=on', 'vfio 0000:01:00.0: x-balloon-allowed only potentially compatible with mdev devices'],
    // 8.2 checks x-balloon-allowed before it looks for the IOMMU group.
    ['7.2', 'host=03:00.0,x-balloon-allowed=on', 'vfio 0000:03:00.0: no iommu_group found: No such file or directory'],
    ['10.0', 'host=03:00.0,x-balloon-allowed=on', 'vfio 0000:03:00.0: x-balloon-allowed only potentially compatible with mdev devices'],
    ['10.0', 'sysfsdev=/sys/bus/mdev/devices/4b20d080-1b54-4048-85b3-a6a62d165c01,x-balloon-allowed=on', 'started'],
    ['10.0', 'fd=7', "hotmem does not model vfio-pci's fd= (a VFIO device file descriptor passed by the caller); name the device with host= or sysfsdev="],
  ];
  for (const [r, text, expected] of CASES) {
    it(`${r} -device vfio-pci${text ? `,${text}` : ''} → ${expected.split('\n')[0] ?? ''}`, () =>
      assert.equal(outcome([vfio(text)], { release: r }), expected));
  }

  it('leaves the hint out of a QMP reply, as error_append_hint does', () => {
    const refusal = (() => {
      try {
        startOn([vfio('')]);
      } catch (e) {
        return e;
      }
      throw new Error('vfio-pci without a device started');
    })();
    assert.equal(toQmpError(refusal).desc, 'No provided host device');
  });

  it('says it does not model a DMA mapping that fails, and leaves nothing pinned or taken', () => {
    const m = startOn([object('memory-backend-memfd', 'ram0', 'size=1G,hugetlb=on,hugetlbsize=2M,reserve=off')], {
      memoryBackend: 'ram0',
      hugetlbPages: { [2 * MiB]: 4 },
      machine: 'pc',
    });
    assert.throws(() => m.addDevice({ kind: 'device', driver: 'vfio-pci', id: 'hostdev0', props: [{ name: 'host', value: '01:00.0' }] }), {
      message: 'hotmem does not model how QEMU answers a VFIO DMA mapping that fails: pinning ram0 gave EFAULT (its hugetlb pool ran dry?)',
    });
    assert.deepEqual([m.process.status().vmLck, ramDiscardCoordination(m.model).isDisabled(), m.model.resolvePath('hostdev0')], [0, false, undefined]);
  });

  it('refuses the same device twice, and takes a second device of the group', () => {
    assert.equal(outcome([vfio('host=01:00.0'), vfio('host=0000:01:00.0', 'hostdev1')]), 'vfio 0000:01:00.0: device is already attached');
    assert.equal(outcome([vfio('host=01:00.0'), vfio('host=01:00.1', 'hostdev1')]), 'started');
  });

  // release, order → the second device's refusal, or 'started' (discard-coordination.ts: 6.1
  // made them compatible; the releases with device data)
  const ORDER: ReadonlyArray<readonly [string, 'vfio first' | 'virtio-mem first', string]> = [
    ['5.2', 'vfio first', 'Discarding RAM is disabled'],
    ['5.2', 'virtio-mem first', `vfio 0000:01:00.0: failed to setup container for group 12: ${BUSY}`],
    ['7.2', 'vfio first', 'started'],
    ['7.2', 'virtio-mem first', 'started'],
    ['10.0', 'vfio first', 'started'],
    ['11.1', 'virtio-mem first', 'started'],
  ];
  for (const [r, order, expected] of ORDER) {
    it(`${r}: vfio-pci and virtio-mem-pci, ${order} → ${expected}`, () => {
      const items = order === 'vfio first' ? [vfio('host=01:00.0'), ...mem()] : [...mem(), vfio('host=01:00.0')];
      assert.equal(outcome(items, { release: r }), expected);
    });
  }

  it('5.2: a mediated device with x-balloon-allowed gives the counter back, so virtio-mem may follow', () => {
    const mdev = vfio('sysfsdev=/sys/bus/mdev/devices/4b20d080-1b54-4048-85b3-a6a62d165c01,x-balloon-allowed=on');
    assert.equal(outcome([mdev, ...mem()], { release: '5.2' }), 'started');
    assert.equal(
      outcome([vfio('sysfsdev=/sys/bus/mdev/devices/4b20d080-1b54-4048-85b3-a6a62d165c01'), ...mem()], { release: '5.2' }),
      'Discarding RAM is disabled',
    );
  });
});

/** The pinned bytes (VmLck without mlock) and resident bytes of the machine's process. */
const figures = (m: Machine) => ({ pinned: m.process.status().vmLck, rss: m.process.status().vmRss });

function virtioMem(m: Machine) {
  const proxy = m.model.resolvePath('vm0')!;
  const runtime = proxy.child('virtio-backend')!.slots.get(VIRTIO_MEM_RUNTIME)!;
  const base = proxy.get('memaddr') as number;
  const blockSize = runtime.blockSize();
  const run = (kind: 'plug' | 'unplug', offset: number, size: number) =>
    runtime.submit(0, { out: [encodeRequest({ kind, addr: BigInt(base + offset), nbBlocks: size / blockSize })], in: [new Uint8Array(10)] });
  return { proxy, runtime, run };
}

describe('devices/vfio-pci: guest RAM pinned for DMA', () => {
  it('pins and populates all initial RAM at realize (pc.ram below and above 4 GiB alike)', () => {
    const m = startOn([vfio('host=01:00.0')], { memory: '6G' });
    assert.deepEqual(figures(m), { pinned: 6 * GiB, rss: 6 * GiB });
  });

  it('sits behind a PCIe root port, as libvirt places a host device on q35', () => {
    const m = startOn([
      device('pcie-root-port', 'pci.1', 'port=16,chassis=1,multifunction=on,addr=0x2', 'pcie.0'),
      device('vfio-pci', 'hostdev0', 'host=01:00.0,addr=0x0', 'pci.1'),
    ]);
    assert.deepEqual(figures(m), { pinned: GiB, rss: GiB });
  });

  it('pins once per process however many devices and groups, and unpins when the last goes', () => {
    const m = startOn([vfio('host=01:00.0'), vfio('host=01:00.1', 'hostdev1'), vfio('host=02:00.0', 'hostdev2')], { machine: 'pc' });
    // pc's ACPI PCI hotplug: device_del asks, the guest ejects.
    const del = (id: string) => {
      m.deleteDevice(id);
      m.ejectDevice(m.model.resolvePath(id)!);
    };
    assert.equal(figures(m).pinned, GiB);
    for (const id of ['hostdev0', 'hostdev1']) del(id);
    assert.equal(figures(m).pinned, GiB, 'one device left');
    del('hostdev2');
    assert.equal(figures(m).pinned, 0);
    assert.equal(figures(m).rss, GiB, 'unpinning frees nothing');
    assert.equal(ramDiscardCoordination(m.model).isDisabled(), false);
  });

  it('a mediated device pins nothing', () => {
    const m = startOn([vfio('sysfsdev=/sys/bus/mdev/devices/4b20d080-1b54-4048-85b3-a6a62d165c01')]);
    assert.deepEqual(figures(m), { pinned: 0, rss: 0 });
    assert.equal(ramDiscardCoordination(m.model).isDisabled(), true, 'without x-balloon-allowed the balloon still stops');
  });

  it('with mem-lock, VmLck counts the pinned pages again, as the kernel does', () => {
    const m = startOn([vfio('host=01:00.0')], { memLock: 'on' });
    assert.deepEqual(figures(m), { pinned: 2 * GiB, rss: GiB });
  });

  it('pins a pc-dimm plugged after it, and unpins it when it goes', () => {
    const m = startOn([vfio('host=01:00.0'), object('memory-backend-ram', 'd0', 'size=1G'), device('pc-dimm', 'dimm0', 'memdev=d0')], {
      memory: '1G,slots=2,maxmem=16G',
    });
    assert.deepEqual(figures(m), { pinned: 2 * GiB, rss: 2 * GiB });
  });

  for (const r of ['7.2', '11.1']) {
    it(`${r}: virtio-mem: only plugged blocks are pinned, plug and unplug map and unmap them`, () => {
      const m = startOn([vfio('host=01:00.0'), ...mem('4G')], { release: r });
      const { run } = virtioMem(m);
      assert.deepEqual(figures(m), { pinned: GiB, rss: GiB });
      m.model.setProperty(m.model.resolvePath('vm0')!, 'requested-size', { source: 'text', text: '1G', visitor: 'string' });
      run('plug', 0, 512 * MiB);
      assert.deepEqual(figures(m), { pinned: GiB + 512 * MiB, rss: GiB + 512 * MiB });
      run('plug', 512 * MiB, 512 * MiB);
      run('unplug', 0, 256 * MiB);
      assert.deepEqual(figures(m), { pinned: GiB + 768 * MiB, rss: GiB + 768 * MiB });
    });
  }

  it('the balloon frees nothing: discards are disabled (silently), and every page is pinned', () => {
    for (const [items, rss] of [
      [[], GiB - 256 * MiB],
      [[vfio('host=01:00.0')], GiB],
    ] as const) {
      const f = startBalloon({ release: '10.0', memory: '1G', host: new Host({ arch: 'x86_64', pciDevices: HOST_DEVICES }), items });
      handshake(f.runtime, FeatureSet.EMPTY);
      f.machine.model.resolvePath('/objects/pc.ram')!.slots.get(RAM_BLOCK)!.mapping!.write(0, GiB, 1);
      inflate(f.runtime, 256 * MiB, 256 * MiB);
      assert.equal(f.machine.process.status().vmRss, rss, items.length ? 'with vfio-pci' : 'without');
      assert.deepEqual(f.runtime.warnings, []);
    }
  });

  it('leaves the memdev block mapped only where virtio-mem plugged it', () => {
    const m = startOn([vfio('host=01:00.0'), ...mem('4G')]);
    const block = m.model.resolvePath('/objects/mem0')!.slots.get(RAM_BLOCK)!;
    assert.equal(block.mapping!.rssBytes, 0);
  });
});
