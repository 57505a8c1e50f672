import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FeatureSet } from '../../../src/virtio/feature-set.js';
import { VIRTIO_MEM_F_ACPI_PXM, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from '../../../devices/virtio-mem/features.js';
import { GiB, MiB, handshake, plug, startVirtioMem, state, unplug } from './helpers.js';

const setRequested = (f: ReturnType<typeof startVirtioMem>, bytes: number) =>
  f.machine.model.setProperty(f.proxy, 'requested-size', { source: 'json', json: bytes });

describe('devices/virtio-mem: requests (virtio spec 5.15.6, QEMU 7.2)', () => {
  const B = 2 * MiB;
  // A device with requested-size 64 MiB: usable region 64 MiB + 256 MiB extent = 320 MiB.
  const CASES: ReadonlyArray<readonly [string, (base: number) => readonly ReturnType<typeof plug>[], string]> = [
    ['a plug inside the usable region', (b) => [plug(b, 4)], 'ack'],
    ['a plug past requested-size', (b) => [plug(b, 33)], 'nack'],
    ['a plug of an already plugged block', (b) => [plug(b, 1), plug(b, 2)], 'error'],
    ['a misaligned plug', (b) => [plug(b + 4096, 1)], 'error'],
    ['an empty plug', (b) => [plug(b, 0)], 'error'],
    ['a plug below the region', (b) => [plug(b - B, 1)], 'error'],
    ['a plug beyond the usable region', (b) => [plug(b + 320 * MiB, 1)], 'error'],
    ['a plug crossing the usable end', (b) => [plug(b + 318 * MiB, 2)], 'error'],
    ['an unplug of plugged blocks', (b) => [plug(b, 2), unplug(b, 2)], 'ack'],
    ['an unplug of unplugged blocks', (b) => [unplug(b, 1)], 'error'],
    ['an unplug of partly plugged blocks', (b) => [plug(b, 1), unplug(b, 2)], 'error'],
    ['an unplug of any size below requested-size', (b) => [plug(b, 32), unplug(b, 32)], 'ack'],
    ['a state of plugged blocks', (b) => [plug(b, 2), state(b, 2)], 'ack-state:plugged'],
    ['a state of unplugged blocks', (b) => [state(b, 2)], 'ack-state:unplugged'],
    ['a state of mixed blocks', (b) => [plug(b, 1), state(b, 2)], 'ack-state:mixed'],
    ['a state outside the usable region', (b) => [state(b + 320 * MiB, 1)], 'error'],
    ['unplug-all', () => [{ kind: 'unplug-all' }], 'ack'],
  ];
  for (const [what, requests, expected] of CASES) {
    it(`${what} → ${expected}`, () => {
      const f = startVirtioMem({ device: 'requested-size=64M' });
      assert.equal(handshake(f.runtime, FeatureSet.of(VIRTIO_MEM_F_ACPI_PXM)), 'ok');
      const responses = requests(f.base).map((r) => f.run(r));
      const last = responses.at(-1)!;
      assert.equal(last.kind === 'ack-state' ? `ack-state:${last.state}` : last.kind, expected);
    });
  }

  it('plugs, unplugs and unplugs all, with plugged size = plugged blocks × block size', () => {
    const f = startVirtioMem({ device: 'requested-size=64M' });
    handshake(f.runtime, FeatureSet.EMPTY);
    f.run(plug(f.base, 16));
    assert.equal(f.proxy.get('size'), 32 * MiB);
    f.run(unplug(f.base, 4));
    assert.equal(f.proxy.get('size'), 24 * MiB);
    f.run({ kind: 'unplug-all' });
    assert.equal(f.proxy.get('size'), 0);
  });

  it('marks the device broken on a protocol violation and answers nothing after', () => {
    const f = startVirtioMem({ device: 'requested-size=64M' });
    handshake(f.runtime, FeatureSet.EMPTY);
    assert.equal(f.runtime.submit(0, { out: [new Uint8Array(8)], in: [new Uint8Array(10)] }).kind, 'detached');
    assert.equal(f.runtime.broken, true);
    assert.equal(f.run(plug(f.base, 1)).kind, 'malformed');
  });
});

describe('devices/virtio-mem: host memory follows plug, unplug and reads', () => {
  const BACKENDS: ReadonlyArray<readonly [string, string]> = [
    ['memory-backend-ram', 'rssAnon'],
    ['memory-backend-memfd', 'rssShmem'],
  ];
  for (const [backend, counter] of BACKENDS) {
    it(`${backend}: guest writes raise ${counter}, unplug gives it back`, () => {
      const f = startVirtioMem({ backend, device: 'requested-size=1G' });
      handshake(f.runtime, FeatureSet.of(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE));
      const process = f.machine.process;
      const before = process.status()[counter as 'rssAnon'];
      f.run(plug(f.base, 512));
      const mapping = f.runtime.block.mapping!;
      mapping.write(0, GiB, 7);
      assert.equal(process.status()[counter as 'rssAnon'] - before, GiB);
      f.run(unplug(f.base, 512));
      assert.equal(process.status()[counter as 'rssAnon'] - before, 0);
    });
  }

  it('reading unplugged memory is free with the shared zeropage and costs real pages without it', () => {
    const ram = startVirtioMem({ backend: 'memory-backend-ram' });
    ram.runtime.block.mapping!.read(0, 4 * GiB);
    assert.equal(ram.machine.process.status().vmRss, 0);
    const memfd = startVirtioMem({ backend: 'memory-backend-memfd' });
    memfd.runtime.block.mapping!.read(0, 4 * GiB);
    assert.equal(memfd.machine.process.status().rssShmem, 4 * GiB);
  });

  it('keeps plugged size = plugged blocks × block size and RSS = written plugged memory (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 8 })), { maxLength: 40 }), (ops) => {
        const f = startVirtioMem({ device: 'requested-size=128M', size: '128M' });
        handshake(f.runtime, FeatureSet.EMPTY);
        const blocks = new Set<number>();
        for (const [isPlug, first, count] of ops) {
          const response = f.run(isPlug ? plug(f.base + first * 2 * MiB, count) : unplug(f.base + first * 2 * MiB, count));
          if (response.kind === 'ack') {
            for (let i = first; i < first + count; i++) {
              if (isPlug) blocks.add(i);
              else blocks.delete(i);
            }
            if (isPlug) f.runtime.block.mapping!.write(first * 2 * MiB, count * 2 * MiB, 1);
          }
        }
        assert.equal(f.proxy.get('size'), blocks.size * 2 * MiB);
        assert.equal(f.machine.process.status().rssAnon, blocks.size * 2 * MiB);
      }),
      { numRuns: 40, seed: 42 },
    );
  });
});

describe('devices/virtio-mem: features and negotiation', () => {
  // machine, backend, explicit property → unplugged-inaccessible after realize, offered?
  const TRISTATE: ReadonlyArray<readonly [string, string, string, string, string | undefined, boolean]> = [
    ['7.2', 'pc-q35-7.2', 'memory-backend-ram', '', 'off', false],
    ['7.2', 'pc-q35-7.2', 'memory-backend-memfd', '', 'on', true],
    ['7.2', 'pc-q35-6.2', 'memory-backend-memfd', '', 'off', false],
    ['7.2', 'pc-q35-6.2', 'memory-backend-memfd', 'unplugged-inaccessible=auto', 'on', true],
    ['8.1', 'pc-q35-8.1', 'memory-backend-ram', '', 'on', true],
    ['8.1', 'pc-q35-8.0', 'memory-backend-ram', '', 'off', false],
    ['8.1', 'pc-q35-7.0', 'memory-backend-memfd', '', 'on', true],
    ['8.1', 'pc-q35-6.2', 'memory-backend-ram', '', 'off', false],
    ['6.2', 'pc-q35-6.2', 'memory-backend-memfd', '', undefined, false],
  ];
  for (const [release, machine, backend, device, value, offered] of TRISTATE) {
    it(`${release} ${machine} ${backend} ${device || '(defaults)'} → ${value ?? 'no property'}, feature ${offered ? 'offered' : 'not offered'}`, () => {
      const f = startVirtioMem({ release, machine, backend, device: device || undefined });
      const has = f.machine.model.view.properties(f.proxy.type).has('unplugged-inaccessible');
      assert.equal(has ? f.proxy.get('unplugged-inaccessible') : undefined, value);
      assert.equal(f.runtime.readDeviceFeatures().has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE), offered);
    });
  }

  it('refuses FEATURES_OK from a driver that does not accept UNPLUGGED_INACCESSIBLE when it is offered', () => {
    const f = startVirtioMem({ backend: 'memory-backend-memfd' });
    assert.equal(handshake(f.runtime, FeatureSet.of(VIRTIO_MEM_F_ACPI_PXM)), 'refused');
    assert.equal(handshake(f.runtime, FeatureSet.of(VIRTIO_MEM_F_ACPI_PXM, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)), 'ok');
  });

  it('offers QEMU 7.2 default host features 0x10179000001 for a RAM-backed device on q35', () => {
    assert.equal(startVirtioMem().runtime.hostFeatures.toString(), '0x10179000001');
  });

  it('grows the usable region on requested-size and refuses bad values with QEMU words', () => {
    const f = startVirtioMem({ device: 'requested-size=64M' });
    assert.equal(f.runtime.state.usableRegionSize, 320 * MiB);
    setRequested(f, GiB);
    assert.equal(f.runtime.state.usableRegionSize, GiB + 256 * MiB);
    setRequested(f, 0);
    assert.equal(f.runtime.state.usableRegionSize, GiB + 256 * MiB, 'never shrinks on a requested-size write');
    assert.throws(() => setRequested(f, MiB), { message: "'requested-size' has to be multiples of 'block-size' (0x200000)" });
    assert.throws(() => setRequested(f, 8 * GiB), { message: "'requested-size' cannot exceed the memory backend size(0x100000000)" });
    assert.throws(() => f.machine.model.setProperty(f.proxy, 'block-size', { source: 'json', json: 4 * MiB }), { message: "'block-size' cannot be changed" });
  });

  it('checks a requested-size past 2^53 exactly, as QEMU checks any uint64', () => {
    const f = startVirtioMem({});
    const set = (json: unknown) => () => f.machine.model.setProperty(f.proxy, 'requested-size', { source: 'json', json });
    assert.throws(set((1n << 64n) - 1n), { message: "'requested-size' has to be multiples of 'block-size' (0x200000)" });
    assert.throws(set(1n << 54n), { message: "'requested-size' cannot exceed the memory backend size(0x100000000)" });
    // A double (beyond uint64) is not a uint64.
    assert.throws(set(2 ** 64), { message: "Parameter 'requested-size' expects uint64" });
  });

  it('emits MEMORY_DEVICE_SIZE_CHANGE, at most once a second per device, the latest held', () => {
    const f = startVirtioMem({ device: 'requested-size=1G' });
    handshake(f.runtime, FeatureSet.EMPTY);
    const seen: Array<[number, number]> = [];
    f.machine.events.on('MEMORY_DEVICE_SIZE_CHANGE', (e) => seen.push([e.data.size, e.at]));
    f.run(plug(f.base, 64));
    f.run(plug(f.base + 128 * MiB, 64));
    f.run(plug(f.base + 256 * MiB, 64));
    assert.deepEqual(seen, [[128 * MiB, 0]]);
    f.machine.scheduler.runUntilIdle();
    assert.deepEqual(seen, [
      [128 * MiB, 0],
      [384 * MiB, 0],
    ]);
  });
});
