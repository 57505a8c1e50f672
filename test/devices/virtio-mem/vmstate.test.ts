import assert from 'node:assert/strict';
import { isHotmemError } from '../../../src/core/errors.js';
import { loadSections, type Section } from '../../../src/migration/device-state.js';
import { VmReader, vmStruct, vmU32, type LoadContext, type VmField, type VmSection } from '../../../src/migration/vmstate.js';
import { VIRTIO_MEM_RAM_DISCARD, VIRTIO_MEM_VMSTATE } from '../../../devices/virtio-mem/vmstate.js';
import { GiB, MiB, plugVirtioMem, startSeedMachine, virtioMemOf, virtioMemState, x86Spec, type X86Options } from '../../migration/fixtures.js';

const CTX: LoadContext = { postcopy: 'none', release: { major: 7, minor: 2 } };
const [LATE, EARLY] = VIRTIO_MEM_VMSTATE as [(typeof VIRTIO_MEM_VMSTATE)[0], (typeof VIRTIO_MEM_VMSTATE)[0]];

function pair(src: X86Options, dst: X86Options = src) {
  return { source: startSeedMachine(x86Spec(src)), destination: startSeedMachine(x86Spec(dst)) };
}

/** The device's sections as a machine registers them, for loadSections. */
function sectionsOf(machine: ReturnType<typeof startSeedMachine>): Section[] {
  const { obj } = virtioMemOf(machine);
  return VIRTIO_MEM_VMSTATE.filter((d) => d.registered(obj)).map((d) => ({
    idstr: `${obj.path()}/${d.name}`,
    name: d.name,
    version: d.version,
    minVersion: d.minVersion,
    priority: d.priority,
    earlySetup: d.earlySetup,
    save: () => d.save(obj),
    check: (r: VmReader, ctx: LoadContext) => d.check(obj, r, ctx),
    apply: (r: VmReader, ctx: LoadContext) => d.apply(obj, r, ctx),
  }));
}

/** Replaces one field of the nested section at `path` (e.g. ['virtio', 'virtio-mem-device', 'tmp']). */
function withField(section: VmSection, path: readonly string[], name: string, value: VmField): VmSection {
  if (path.length === 0) return { ...section, fields: { ...section.fields, [name]: value } };
  const inner = section.fields[path[0]!];
  if (inner?.type !== 'struct') throw new Error(`no struct ${String(path[0])}`);
  return { ...section, fields: { ...section.fields, [path[0]!]: vmStruct(withField(inner.section, path.slice(1), name, value)) } };
}

const TMP = ['virtio', 'virtio-mem-device', 'tmp'];

function checkOn(machine: ReturnType<typeof startSeedMachine>, section: VmSection): void {
  const { obj } = virtioMemOf(machine);
  LATE.check(obj, new VmReader(section), CTX);
}

describe('devices/virtio-mem: device state (vmstate_virtio_mem, hw/virtio/virtio-mem.c)', () => {
  const ROUND_TRIPS: ReadonlyArray<readonly [string, X86Options, readonly string[]]> = [
    ['QEMU 7.2, pc-q35-7.2, memory-backend-ram', { virtioMem: { backend: 'memory-backend-ram', size: '1G' } }, ['virtio-mem']],
    ['QEMU 7.2, pc-q35-7.2, memory-backend-memfd', { virtioMem: { backend: 'memory-backend-memfd', size: '1G' } }, ['virtio-mem']],
    [
      'QEMU 8.0, pc-q35-8.0 (x-early-migration on)',
      { release: '8.0', machine: 'pc-q35-8.0', virtioMem: { backend: 'memory-backend-ram', size: '1G' } },
      ['virtio-mem', 'virtio-mem-device-early'],
    ],
    [
      'QEMU 8.0, pc-q35-7.2 (hw_compat_7_2: x-early-migration off)',
      { release: '8.0', machine: 'pc-q35-7.2', virtioMem: { backend: 'memory-backend-ram', size: '1G' } },
      ['virtio-mem'],
    ],
  ];
  for (const [what, config, names] of ROUND_TRIPS) {
    it(`${what}: sections ${names.join(' + ')} round-trip to an identical state`, () => {
      const { source, destination } = pair(config);
      plugVirtioMem(source, 'vm0', 256 * MiB);
      const saved = virtioMemState(source);
      assert.deepEqual(
        saved.map((s) => s.name),
        names,
      );
      const src = sectionsOf(source);
      const out = loadSections(
        src.map((s) => ({ idstr: s.idstr, version: s.version, content: s.save() })),
        sectionsOf(destination),
        CTX,
        true,
      );
      assert.equal(out.kind, 'loaded');
      assert.deepEqual(virtioMemState(destination), saved);
      const d = virtioMemOf(destination).runtime;
      assert.equal(d.pluggedSize(), 256 * MiB);
      assert.equal(d.requestedSize(), 256 * MiB);
      assert.equal(d.state.usableRegionSize, virtioMemOf(source).runtime.state.usableRegionSize);
      assert.ok(d.guestFeatures.equals(virtioMemOf(source).runtime.guestFeatures));
      assert.equal(d.readStatus(), virtioMemOf(source).runtime.readStatus());
      assert.equal(destination.model.resolvePath('vm0')!.get('size'), 256 * MiB, 'the proxy property reads the loaded state');
    });
  }

  it('the early section carries the sanity checks, size and bitmap; the late one then leaves them out', () => {
    const { source } = pair({ release: '8.0', machine: 'pc-q35-8.0', virtioMem: { backend: 'memory-backend-ram', size: '1G' } });
    const [late, early] = virtioMemState(source);
    assert.deepEqual(Object.keys(early!.fields), ['tmp', 'size', 'bitmap']);
    const virtio = late!.fields.virtio;
    assert.equal(virtio?.type, 'struct');
    const device = virtio.section.fields['virtio-mem-device'];
    assert.deepEqual(device?.type === 'struct' ? Object.keys(device.section.fields) : [], ['usable_region_size', 'requested_size']);
    assert.equal(EARLY.earlySetup, true);
  });

  const SANITY: ReadonlyArray<readonly [string, string, VmField, string]> = [
    ['memaddr', 'addr', { type: 'u64', value: 0x1_4000_0000n }, "Property 'memaddr' changed from 0x140000000 to 0x"],
    ['memdev size', 'region_size', { type: 'u64', value: 0x8000_0000n }, "Property 'memdev' size changed from 0x80000000 to 0x40000000"],
    ['block-size', 'block_size', { type: 'u64', value: 0x40_0000n }, "Property 'block-size' changed from 0x400000 to 0x200000"],
    ['node', 'node', vmU32(1), "Property 'node' changed from 1 to 0"],
  ];
  for (const [what, field, value, message] of SANITY) {
    it(`a changed ${what} fails the sanity check with QEMU's message and changes nothing`, () => {
      const { source } = pair({ virtioMem: { backend: 'memory-backend-ram', size: '1G' } });
      plugVirtioMem(source, 'vm0', 64 * MiB);
      const before = virtioMemState(source);
      const changed = withField(before[0]!, TMP, field, value);
      assert.throws(
        () => checkOn(source, changed),
        (e: unknown) => isHotmemError(e) && e.message.startsWith(message) && e.code.startsWith('virtio-mem.mig-'),
      );
      assert.deepEqual(virtioMemState(source), before);
    });
  }

  it('a destination with another block size refuses the real section', () => {
    const { source, destination } = pair(
      { virtioMem: { backend: 'memory-backend-ram', size: '1G' } },
      { virtioMem: { backend: 'memory-backend-ram', size: '1G', device: [{ name: 'block-size', value: '4M' }] } },
    );
    assert.throws(
      () => checkOn(destination, virtioMemState(source)[0]!),
      (e: unknown) => isHotmemError(e, 'virtio-mem.mig-block-size') && e.message === "Property 'block-size' changed from 0x200000 to 0x400000",
    );
  });

  it("a guest that acked UNPLUGGED_INACCESSIBLE cannot move to a memdev where 'auto' resolves to off; the report says why", () => {
    const { source, destination } = pair(
      { virtioMem: { backend: 'memory-backend-memfd', size: '1G' } },
      { virtioMem: { backend: 'memory-backend-ram', size: '1G' } },
    );
    plugVirtioMem(source, 'vm0', 64 * MiB);
    assert.equal(source.model.resolvePath('vm0')!.get('unplugged-inaccessible'), 'on');
    assert.equal(destination.model.resolvePath('vm0')!.get('unplugged-inaccessible'), 'off');
    assert.throws(
      () => checkOn(destination, virtioMemState(source)[0]!),
      (e: unknown) =>
        isHotmemError(e, 'migration.virtio-features') &&
        /^Features 0x1[0-9a-f]* unsupported\. Allowed features: 0x[0-9a-f]+$/.test(e.message) &&
        /VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE/.test(String(e.details.explanation)) &&
        /'auto' resolves to 'off' exactly when the memdev has the shared zeropage/.test(String(e.details.explanation)),
    );
  });

  it('the reverse mismatch, which QEMU loads, is reported as beyond what hotmem can restore', () => {
    const { source, destination } = pair(
      { virtioMem: { backend: 'memory-backend-ram', size: '1G' } },
      { virtioMem: { backend: 'memory-backend-memfd', size: '1G' } },
    );
    plugVirtioMem(source, 'vm0', 64 * MiB);
    assert.throws(
      () => checkOn(destination, virtioMemState(source)[0]!),
      (e: unknown) => isHotmemError(e, 'migration.virtio-core-replay'),
    );
  });

  it('fields the destination does not expect (x-early-migration differs) are an error, not a misread', () => {
    const { source, destination } = pair(
      { release: '8.0', machine: 'pc-q35-7.2', virtioMem: { backend: 'memory-backend-ram', size: '1G' } },
      { release: '8.0', machine: 'pc-q35-8.0', virtioMem: { backend: 'memory-backend-ram', size: '1G' } },
    );
    const out = loadSections(
      sectionsOf(source).map((s) => ({ idstr: s.idstr, version: s.version, content: s.save() })),
      sectionsOf(destination),
      CTX,
      false,
    );
    assert.equal(out.kind, 'failed');
    assert.equal(out.failure.code, 'migration.fields-unread');
    assert.match(out.failure.message, /virtio\.virtio-mem-device\.tmp/);
  });

  it("section versions follow savevm's and vmstate's checks", () => {
    const { source, destination } = pair({ virtioMem: { backend: 'memory-backend-ram', size: '1G' } });
    const [s] = sectionsOf(source);
    const newer = loadSections([{ idstr: s!.idstr, version: 2, content: s!.save() }], sectionsOf(destination), CTX, false);
    assert.equal(newer.kind === 'failed' && newer.failure.message, `savevm: unsupported version 2 for '${s!.idstr}' v1`);
    const older = loadSections([{ idstr: s!.idstr, version: 0, content: s!.save() }], sectionsOf(destination), CTX, false);
    assert.equal(older.kind === 'failed' && older.failure.message, 'virtio-mem: incoming version_id 0 is too old for local minimum version_id  1');
  });

  it('loading restores the unplugged state of host memory (virtio_mem_restore_unplugged) except in postcopy', () => {
    for (const postcopy of ['none', 'active'] as const) {
      const { source, destination } = pair({ virtioMem: { backend: 'memory-backend-ram', size: '1G' } });
      plugVirtioMem(source, 'vm0', 64 * MiB);
      const mapping = virtioMemOf(destination).runtime.block.mapping!;
      mapping.write(512 * MiB, 64 * MiB, 9);
      const { obj } = virtioMemOf(destination);
      const reader = new VmReader(virtioMemState(source)[0]!);
      LATE.check(obj, reader, { ...CTX, postcopy });
      LATE.apply(obj, reader, { ...CTX, postcopy });
      assert.equal(mapping.contentAt(512 * MiB), postcopy === 'none' ? 0 : 9, postcopy);
    }
  });

  it('as RamDiscardManager it reports the plugged blocks as populated', () => {
    const { source } = pair({ virtioMem: { backend: 'memory-backend-ram', size: '1G' } });
    plugVirtioMem(source, 'vm0', 6 * MiB);
    const { obj, runtime } = virtioMemOf(source);
    assert.equal(VIRTIO_MEM_RAM_DISCARD.block(obj), runtime.block);
    assert.deepEqual(VIRTIO_MEM_RAM_DISCARD.populated(obj), [{ offset: 0, length: 6 * MiB }]);
    assert.equal(runtime.block.size, 1 * GiB);
  });

  it('the late section has the sanity-check tmp first, as QEMU sends it', () => {
    const { source } = pair({ virtioMem: { backend: 'memory-backend-ram', size: '1G' } });
    const late = virtioMemState(source)[0]!;
    const inner = new VmReader(late).struct('virtio').struct('virtio-mem-device');
    assert.deepEqual(Object.keys(inner.section.fields), ['tmp', 'usable_region_size', 'size', 'requested_size', 'bitmap']);
    assert.equal(inner.struct('tmp').name, 'virtio-mem-device/sanity-checks');
  });
});
