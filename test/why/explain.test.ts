import assert from 'node:assert/strict';
import { RUN_ENVIRONMENT } from '../../src/cli/commands/run.js';
import { parseDefinition } from '../../src/frontends/yaml/load.js';
import { runDefinition, startDefinition } from '../../src/frontends/yaml/run.js';
import { gpaRange } from '../../src/guest/linux/ranges.js';
// The typed API's export, which is this module's.
import { explainMemoryDevices } from '../../src/index.js';

/** A q35 machine with one virtio-mem device vm0 on `backend`, asked for 1 GiB after start. */
function definition(o: { qemu: string; machine: string; backend: string; device?: string; guest?: string; globals?: string }): string {
  return `
host: { arch: x86_64, kernel: linux-6.1, qemu: "${o.qemu}" }
machine: { type: ${o.machine}, accel: kvm, memory: 4GiB, maxmem: 20GiB }
objects:
  - { type: ${o.backend}, id: mem0, size: 16GiB }
devices:
  - { driver: virtio-mem-pci, id: vm0, memdev: mem0, requested-size: 0${o.device ?? ''} }
${o.globals ? `globals: [ "${o.globals}" ]` : ''}
${o.guest ? `guest: { kernel: "${o.guest}" }` : ''}
steps:
  - set: { path: vm0, property: requested-size, value: 1GiB }
`;
}

const REFUSED = 'vm0: the Linux 5.10 guest refused the device ("virtio: device refuses features: 3"), so nothing can be plugged: ';
const FIX = ', and Linux accepts it from 5.16 on; unplugged-inaccessible=off or a guest from 5.16 on would let it plug.';
const OFFERS = 'the device offers VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE because unplugged-inaccessible=on';

const CASES: ReadonlyArray<{ readonly name: string; readonly yaml: string; readonly why: readonly string[] }> = [
  {
    name: 'a legacy guest refusing the 8.1+ class default',
    yaml: definition({ qemu: '10.0', machine: 'pc-q35-9.2', backend: 'memory-backend-memfd', guest: '5.10' }),
    why: [`${REFUSED}${OFFERS} (the class default of QEMU 10.0)${FIX}`],
  },
  {
    name: 'a legacy guest refusing auto resolved on, auto from the machine compat',
    yaml: definition({ qemu: '10.0', machine: 'pc-q35-7.2', backend: 'memory-backend-memfd', guest: '5.10' }),
    why: [
      `${REFUSED}${OFFERS} (resolved from auto, the machine compat of pc-q35-7.2 (pc_compat_8_0 in QEMU 10.0), ` +
        `because memdev 'mem0' is shared memory, which has no shared zeropage)${FIX}`,
    ],
  },
  {
    name: 'a legacy guest refusing a -global',
    yaml: definition({ qemu: '7.2', machine: 'pc-q35-7.2', backend: 'memory-backend-ram', guest: '5.10', globals: 'virtio-mem.unplugged-inaccessible=on' }),
    why: [`${REFUSED}${OFFERS} (set by -global virtio-mem.unplugged-inaccessible=on)${FIX}`],
  },
  {
    name: 'a legacy guest on anonymous RAM, where auto resolves off',
    yaml: definition({ qemu: '7.2', machine: 'pc-q35-7.2', backend: 'memory-backend-ram', guest: '5.10' }),
    why: [],
  },
  {
    name: 'a current guest with the feature on',
    yaml: definition({ qemu: '10.0', machine: 'pc-q35-9.2', backend: 'memory-backend-memfd', guest: '6.1' }),
    why: [],
  },
  {
    name: 'a 5.10 guest and a device block above its memory block',
    yaml: definition({ qemu: '7.2', machine: 'pc-q35-7.2', backend: 'memory-backend-ram', guest: '5.10', device: ', block-size: 256MiB' }),
    why: [
      'vm0: the Linux 5.10 guest failed to probe the device, so nothing can be plugged: block-size=256 MiB (set explicitly on the device) ' +
        'is bigger than its 128 MiB memory block, which Linux handles from 5.11 on (Big Block Mode); block-size=128 MiB or less, ' +
        'or a guest from 5.11 on, would let it plug.',
    ],
  },
  {
    name: 'no guest at all',
    yaml: definition({ qemu: '7.2', machine: 'pc-q35-7.2', backend: 'memory-backend-ram' }),
    why: ["vm0: 0 B plugged of 1 GiB requested: the definition runs no guest, and only a guest's driver plugs and unplugs memory; a guest would."],
  },
];

describe('why/explain', () => {
  for (const c of CASES) {
    it(`explains ${c.name}`, () => {
      const report = runDefinition(parseDefinition(c.yaml, 'case.yaml'), RUN_ENVIRONMENT);
      assert.deepEqual(
        report.steps.flatMap((s) => s.why.map((w) => w.text)),
        c.why,
      );
    });
  }

  it('explains an s390x guest without a virtio-mem driver', () => {
    const yaml = `
host: { arch: s390x, kernel: linux-6.1, qemu: "10.0" }
machine: { type: s390-ccw-virtio-10.0, accel: kvm, memory: 4GiB, maxmem: 20GiB }
objects: [ { type: memory-backend-ram, id: mem0, size: 16GiB } ]
devices: [ { driver: virtio-mem-ccw, id: vm0, memdev: mem0, requested-size: 1GiB } ]
guest: { kernel: "6.1" }
steps: []
`;
    const def = parseDefinition(yaml, 'case.yaml');
    const { machine } = startDefinition(def, RUN_ENVIRONMENT);
    const guest = RUN_ENVIRONMENT.attachGuest(machine, def)!;
    guest.settle();
    assert.deepEqual(explainMemoryDevices(machine, guest), [
      {
        device: 'vm0',
        outcome: 'refused',
        text:
          'vm0: the Linux 6.1 guest has no virtio-mem driver for s390x (Linux has one there from 6.13 on), so nothing can be plugged; ' +
          'a guest from 6.13 on would drive it.',
      },
    ]);
  });

  it('explains blocks a guest leaves plugged because it still uses them', () => {
    const yaml = definition({ qemu: '7.2', machine: 'pc-q35-7.2', backend: 'memory-backend-ram', guest: '6.1' }).replace(
      'guest: { kernel: "6.1" }',
      'guest: { kernel: "6.1", memhp-default-state: online }',
    );
    const def = parseDefinition(yaml, 'case.yaml');
    const { machine } = startDefinition(def, RUN_ENVIRONMENT);
    const guest = RUN_ENVIRONMENT.attachGuest(machine, def)!;
    const vm0 = machine.model.resolvePath('vm0')!;
    machine.model.setProperty(vm0, 'requested-size', { source: 'text', text: '1G', visitor: 'string' });
    guest.settle();
    assert.deepEqual(explainMemoryDevices(machine, guest), []);
    // The guest allocates 4 MiB of the plugged memory and keeps it.
    const addr = vm0.get('memaddr') as number;
    assert.equal(guest.workload.touch(gpaRange(addr, 4 * 1024 * 1024), 1).kind, 'done');
    machine.model.setProperty(vm0, 'requested-size', { source: 'text', text: '0', visitor: 'string' });
    guest.settle();
    const [why] = explainMemoryDevices(machine, guest);
    assert.equal(why?.outcome, 'left-plugged');
    assert.match(
      why.text,
      /^vm0: 4 MiB plugged of 0 B requested: the Linux 6\.1 driver \(SBM\) could not unplug the remaining 4 MiB because the guest still uses memory there that it cannot migrate away, in memory onlined to ZONE_NORMAL \(memhp_default_state=online\), where the kernel's own unmovable allocations \(struct pages, slab, page tables\) land and stay; it retries on its timer \(every \d+ s at most\), and memory onlined movable \(memhp_default_state=online_movable\) would hold none of them\.$/,
    );
  });

  it('in ZONE_MOVABLE, says freeing the memory the guest uses would let it unplug', () => {
    const yaml = definition({ qemu: '7.2', machine: 'pc-q35-7.2', backend: 'memory-backend-ram', guest: '6.1' });
    const def = parseDefinition(yaml, 'case.yaml');
    const { machine } = startDefinition(def, RUN_ENVIRONMENT);
    const guest = RUN_ENVIRONMENT.attachGuest(machine, def)!;
    const vm0 = machine.model.resolvePath('vm0')!;
    machine.model.setProperty(vm0, 'requested-size', { source: 'text', text: '128M', visitor: 'string' });
    guest.settle();
    assert.equal(guest.workload.touch(gpaRange(vm0.get('memaddr') as number, 2 * 1024 * 1024), 1).kind, 'done');
    machine.model.setProperty(vm0, 'requested-size', { source: 'text', text: '0', visitor: 'string' });
    guest.settle();
    assert.match(
      explainMemoryDevices(machine, guest)[0]?.text ?? '',
      /cannot migrate away; it retries .*, so freeing that memory in the guest would let it unplug\.$/,
    );
  });
});
