import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { ObjectModel } from '../../../src/qom/object-model.js';
import { typeString } from '../../../src/qom/property.js';
import { featureNames, FeatureSet, type FeatureBit } from '../../../src/virtio/feature-set.js';
import { balloonConfigSize } from '../../../devices/virtio-balloon/config.js';
import {
  VIRTIO_BALLOON_FEATURE_NAMES,
  VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
  VIRTIO_BALLOON_F_FREE_PAGE_HINT,
  VIRTIO_BALLOON_F_MUST_TELL_HOST,
  VIRTIO_BALLOON_F_PAGE_POISON,
  VIRTIO_BALLOON_F_REPORTING,
  VIRTIO_BALLOON_F_STATS_VQ,
} from '../../../devices/virtio-balloon/features.js';
import { balloonQueues } from '../../../devices/virtio-balloon/queues.js';
import { balloonBinary, startBalloon } from './helpers.js';
import { deleteAndEject } from '../../machine/fixtures.js';

const IOTHREAD = [{ kind: 'object' as const, type: 'iothread', id: 'io0', props: [] }];

describe('devices/virtio-balloon: properties by release (virtio_balloon_properties, hw_compat)', () => {
  // release, property, type, class default
  const TABLE: ReadonlyArray<readonly [string, string, string, boolean | number | undefined]> = [
    ['5.1', 'deflate-on-oom', 'bool', false],
    ['5.1', 'free-page-hint', 'bool', false],
    ['5.1', 'page-poison', 'bool', true],
    ['5.1', 'free-page-reporting', 'bool', false],
    ['5.1', 'qemu-4-0-config-size', 'bool', false],
    ['5.1', 'iothread', 'link<iothread>', undefined],
    ['5.1', 'guest-stats', 'guest statistics', undefined],
    ['5.1', 'guest-stats-polling-interval', 'int', 0],
    ['10.2', 'deflate-on-oom', 'bool', false],
    ['10.2', 'page-poison', 'bool', true],
    ['10.2', 'guest-stats-polling-interval', 'int', 0],
  ];
  for (const [r, name, type, def] of TABLE) {
    it(`${r}: virtio-balloon-pci has ${name}=<${type}>${def === undefined ? '' : ` (default ${String(def)})`}`, () => {
      const model = new ObjectModel(balloonBinary(r).environment.registry, { release: release(r), target: 'x86_64' });
      const prop = model.propertiesOf('virtio-balloon-pci').get(name);
      assert.ok(prop, `no ${name}`);
      assert.equal(typeString(prop.def), type);
      assert.equal(model.defaultOf(prop.def), def);
    });
  }

  // release, iothread property, default (undefined: absent), as qom-get reads a new iothread
  const IOTHREAD_TABLE: ReadonlyArray<readonly [string, string, number | undefined]> = [
    ['10.0', 'poll-grow', 0],
    ['10.0', 'poll-shrink', 0],
    ['11.0', 'poll-weight', undefined],
    ['11.1', 'poll-grow', 2],
    ['11.1', 'poll-shrink', 2],
    ['11.1', 'poll-weight', 3],
    ['11.1', 'poll-max-ns', 32768],
  ];
  for (const [r, name, def] of IOTHREAD_TABLE) {
    it(`${r}: iothread ${def === undefined ? `has no ${name}` : `${name} reads ${def}`}`, () => {
      const model = new ObjectModel(balloonBinary(r).environment.registry, { release: release(r), target: 'x86_64' });
      const prop = model.propertiesOf('iothread').get(name);
      assert.equal(prop && model.defaultOf(prop.def), def);
    });
  }

  it('gives the PCI proxy ioeventfd and vectors from 10.0 only', () => {
    const at = (r: string) =>
      new ObjectModel(balloonBinary(r).environment.registry, { release: release(r), target: 'x86_64' }).propertiesOf('virtio-balloon-pci');
    assert.equal(at('9.2').has('vectors'), false);
    assert.equal(at('9.2').has('ioeventfd'), false);
    assert.equal(at('10.0').has('vectors'), true);
    assert.equal(at('10.0').has('ioeventfd'), true);
  });

  // machine, device options → page-poison, qemu-4-0-config-size, offered device bits, config size
  const COMPAT: ReadonlyArray<readonly [string, string, boolean, boolean, readonly number[], number]> = [
    ['pc-q35-7.2', '', true, false, [1, 4], 16],
    ['pc-q35-5.1', '', true, false, [1, 4], 16],
    ['pc-q35-5.0', '', false, false, [1], 8],
    ['pc-q35-4.1', '', false, false, [1], 8],
    ['pc-q35-4.0', '', false, true, [1], 16],
    ['pc-q35-3.1', '', false, false, [1], 8],
    ['pc-q35-5.0', 'free-page-hint=on,iothread=io0', false, false, [1, 3], 12],
    ['pc-q35-5.0', 'page-poison=on', true, false, [1, 4], 16],
    ['pc-q35-7.2', 'deflate-on-oom=on,free-page-reporting=on', true, false, [1, 2, 4, 5], 16],
    ['pc-q35-7.2', 'page-poison=off,free-page-hint=on,iothread=io0', false, false, [1, 3], 12],
  ];
  for (const [machine, device, poison, size40, bits, configSize] of COMPAT) {
    it(`${machine} ${device || '(defaults)'}: page-poison=${String(poison)}, qemu-4-0-config-size=${String(size40)}, bits ${bits.join(',')}, config ${configSize} bytes`, () => {
      const f = startBalloon({ machine, device, items: IOTHREAD });
      assert.equal(f.proxy.get('page-poison'), poison);
      assert.equal(f.proxy.get('qemu-4-0-config-size'), size40);
      const deviceBits = f.runtime.hostFeatures.bits().filter((b) => b < 24);
      assert.deepEqual(deviceBits, bits);
      assert.equal(f.runtime.readConfig().length, configSize);
    });
  }

  it('realize picks 2 vectors on 10.0 machines; hw_compat_9_2 keeps 0 for older ones', () => {
    assert.equal(startBalloon({ release: '10.0', machine: 'pc-q35-10.0' }).proxy.get('vectors'), 2);
    assert.equal(startBalloon({ release: '10.0', machine: 'pc-q35-9.2' }).proxy.get('vectors'), 0);
  });
});

describe('devices/virtio-balloon: feature bits 0 to 5', () => {
  it('names the six bits in order', () => {
    const all = FeatureSet.of(
      VIRTIO_BALLOON_F_MUST_TELL_HOST,
      VIRTIO_BALLOON_F_STATS_VQ,
      VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
      VIRTIO_BALLOON_F_FREE_PAGE_HINT,
      VIRTIO_BALLOON_F_PAGE_POISON,
      VIRTIO_BALLOON_F_REPORTING,
    );
    assert.equal(all.toString(), '0x3f');
    assert.deepEqual(featureNames(all, VIRTIO_BALLOON_FEATURE_NAMES), [
      'VIRTIO_BALLOON_F_MUST_TELL_HOST',
      'VIRTIO_BALLOON_F_STATS_VQ',
      'VIRTIO_BALLOON_F_DEFLATE_ON_OOM',
      'VIRTIO_BALLOON_F_FREE_PAGE_HINT',
      'VIRTIO_BALLOON_F_PAGE_POISON',
      'VIRTIO_BALLOON_F_REPORTING',
    ]);
  });

  // property → bit it switches; MUST_TELL_HOST is never offered, STATS_VQ always
  const BITS: ReadonlyArray<readonly [string, FeatureBit]> = [
    ['deflate-on-oom=on', VIRTIO_BALLOON_F_DEFLATE_ON_OOM],
    ['free-page-hint=on,iothread=io0', VIRTIO_BALLOON_F_FREE_PAGE_HINT],
    ['page-poison=on', VIRTIO_BALLOON_F_PAGE_POISON],
    ['free-page-reporting=on', VIRTIO_BALLOON_F_REPORTING],
  ];
  for (const [device, bit] of BITS) {
    it(`${device} offers bit ${bit}, and never MUST_TELL_HOST`, () => {
      const on = startBalloon({ device, items: IOTHREAD, machine: 'pc-q35-5.0' }).runtime.readDeviceFeatures();
      assert.ok(on.has(bit) && on.has(VIRTIO_BALLOON_F_STATS_VQ) && !on.has(VIRTIO_BALLOON_F_MUST_TELL_HOST));
      const off = startBalloon({ machine: 'pc-q35-5.0' }).runtime.readDeviceFeatures();
      assert.equal(off.has(bit), false);
    });
  }

  // machine → the whole host feature word QEMU 7.2 builds (x-query-virtio-status, checked against 7.2.22)
  const WORDS: ReadonlyArray<readonly [string, 'x86_64' | 's390x', string, string]> = [
    ['pc-q35-7.2', 'x86_64', '', '0x10179000012'],
    ['pc-q35-5.0', 'x86_64', '', '0x179000002'],
    ['pc-i440fx-2.3', 'x86_64', '', '0x71000002'],
    ['s390-ccw-virtio-7.2', 's390x', 'deflate-on-oom=on,free-page-reporting=on', '0x10139000036'],
    ['s390-ccw-virtio-2.4', 's390x', '', '0x39000002'],
  ];
  for (const [machine, arch, device, word] of WORDS) {
    it(`${arch} ${machine} ${device || '(defaults)'} offers ${word}`, () => {
      assert.equal(startBalloon({ arch, machine, device }).runtime.hostFeatures.toString(), word);
    });
  }
});

describe('devices/virtio-balloon: config size and queues', () => {
  const P = VIRTIO_BALLOON_F_PAGE_POISON;
  const H = VIRTIO_BALLOON_F_FREE_PAGE_HINT;
  const R = VIRTIO_BALLOON_F_REPORTING;
  const SIZES: ReadonlyArray<readonly [FeatureSet, boolean, number]> = [
    [FeatureSet.EMPTY, false, 8],
    [FeatureSet.EMPTY, true, 16],
    [FeatureSet.of(H), false, 12],
    [FeatureSet.of(P), false, 16],
    [FeatureSet.of(H, P), false, 16],
    [FeatureSet.of(R), false, 8],
  ];
  for (const [features, size40, size] of SIZES) {
    it(`features ${String(features)} with qemu-4-0-config-size=${String(size40)} expose ${size} bytes`, () => {
      assert.equal(balloonConfigSize(features, size40), size);
    });
  }

  it('numbers the queues as QEMU adds them: reporting is queue 3 without hinting, 4 with', () => {
    const layout = (f: FeatureSet) => balloonQueues(f).map((q) => `${q.name}:${q.index}:${q.size}`);
    assert.deepEqual(layout(FeatureSet.EMPTY), ['inflate:0:128', 'deflate:1:128', 'stats:2:128']);
    assert.deepEqual(layout(FeatureSet.of(R)), ['inflate:0:128', 'deflate:1:128', 'stats:2:128', 'reporting:3:32']);
    assert.deepEqual(layout(FeatureSet.of(H, R)), ['inflate:0:128', 'deflate:1:128', 'stats:2:128', 'free-page:3:1024', 'reporting:4:32']);
  });
});

describe("devices/virtio-balloon: QEMU's messages", () => {
  const start = (items: Parameters<typeof startBalloon>[0]) => () => startBalloon(items);
  const CASES: ReadonlyArray<readonly [string, () => unknown, string]> = [
    ['a second balloon', start({ items: [{ kind: 'device', driver: 'virtio-balloon-pci', id: 'first', props: [] }] }), 'Only one balloon device is supported'],
    ['free-page-hint without an iothread', start({ device: 'free-page-hint=on' }), "'free-page-hint' requires 'iothread' to be set"],
    ['a negative poll interval', start({ device: 'guest-stats-polling-interval=-1' }), 'timer value must be greater than zero'],
    ['a poll interval above UINT32_MAX', start({ device: 'guest-stats-polling-interval=4294967296' }), 'timer value is too big'],
    ['an iothread that does not exist', start({ device: 'iothread=nope' }), "Device 'nope' not found"],
    [
      'a negative iothread parameter',
      start({ items: [{ kind: 'object', type: 'iothread', id: 'io0', props: [{ name: 'poll-max-ns', value: '-1' }] }] }),
      'poll-max-ns value must be in range [0, 9223372036854775807]',
    ],
    [
      "11.1's poll-weight above its shift limit",
      start({ release: '11.1', items: [{ kind: 'object', type: 'iothread', id: 'io0', props: [{ name: 'poll-weight', value: '64' }] }] }),
      'poll-weight value must be in range [0, 63]',
    ],
  ];
  for (const [what, run, message] of CASES) {
    it(`${what}: ${message}`, () => assert.throws(run, { message }));
  }

  it('checks "only one" before the iothread requirement, as realize does', () => {
    assert.throws(start({ device: 'free-page-hint=on', items: [{ kind: 'device', driver: 'virtio-balloon-pci', id: 'first', props: [] }] }), {
      message: 'Only one balloon device is supported',
    });
  });

  it('takes a polling interval after realize through qom-set, with the same checks', () => {
    const f = startBalloon();
    const set = (json: unknown) => f.machine.model.setProperty(f.proxy, 'guest-stats-polling-interval', { source: 'json', json });
    set(2);
    assert.equal(f.proxy.get('guest-stats-polling-interval'), 2);
    assert.throws(() => set(-1), { message: 'timer value must be greater than zero' });
    assert.throws(() => set(2 ** 32), { message: 'timer value is too big' });
    assert.throws(() => f.machine.model.setProperty(f.proxy, 'deflate-on-oom', { source: 'json', json: true }), {
      message: "Attempt to set property 'deflate-on-oom' on anonymous device (type 'virtio-balloon-device') after it was realized",
    });
    assert.throws(() => f.machine.model.setProperty(f.proxy, 'guest-stats', { source: 'json', json: 1 }), {
      message: "Property 'virtio-balloon-device.guest-stats' is not writable",
    });
  });

  it('frees the handler on unplug so another balloon can be added', () => {
    const f = startBalloon({ machine: 'pc-i440fx-7.2' });
    deleteAndEject(f.machine, 'balloon0');
    const again = f.machine.addDevice({ kind: 'device', driver: 'virtio-balloon-pci', id: 'b1', props: [] });
    assert.equal(again.device.realized, true);
  });
});
