import assert from 'node:assert/strict';
import { RUN_ENVIRONMENT } from '../../src/cli/commands/run.js';
import { parseDefinition } from '../../src/frontends/yaml/load.js';
import { runDefinition } from '../../src/frontends/yaml/run.js';

/** A q35 machine of QEMU 7.2 with 512 MiB and a balloon, ballooned to `target`. */
function definition(o: { balloon?: string; guest?: string; target: string; before?: string }): string {
  return `
host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }
machine: { type: pc-q35-7.2, accel: kvm, memory: 512MiB }
devices:
  - { driver: virtio-balloon-pci, id: balloon0${o.balloon ?? ''} }
${o.guest ? `guest: { kernel: "${o.guest}" }` : ''}
steps:
  - balloon: { target: ${o.target} }
`;
}

const CASES: ReadonlyArray<{ readonly name: string; readonly yaml: string; readonly why: readonly string[] }> = [
  {
    name: 'a guest that reaches the target',
    yaml: definition({ guest: '6.1', target: '256MiB', balloon: ', free-page-reporting: on' }),
    why: [],
  },
  {
    name: 'a guest too old for free page reporting',
    yaml: definition({ guest: '5.4', target: '256MiB', balloon: ', free-page-reporting: on' }),
    why: [
      'balloon0: the Linux 5.4 guest does not take VIRTIO_BALLOON_F_REPORTING, which the device offers because free-page-reporting=on ' +
        "(set explicitly on the device): Linux's balloon driver takes it from 5.7 on, so the guest does not report its free memory to the host; " +
        'a guest from 5.7 on would.',
    ],
  },
  {
    name: 'a target below what the guest can give',
    yaml: definition({ guest: '6.1', target: '1MiB' }),
    // 512 MiB less the 8 MiB boot memmap, which the guest keeps.
    why: [
      'balloon0: the balloon holds 504 MiB of the 511 MiB that target 1 MiB asks for: the Linux 6.1 guest has no free memory left to give ' +
        '("Out of puff!", retried every 200 ms); a target of 8 MiB or more, or memory freed in the guest, would let it get there.',
    ],
  },
  {
    name: 'no guest at all',
    yaml: definition({ target: '256MiB' }),
    why: [
      "balloon0: the balloon holds 0 B of the 256 MiB that target 256 MiB asks for: the definition runs no guest, and only a guest's balloon driver fills it; a guest would.",
    ],
  },
];

describe('why/balloon', () => {
  for (const c of CASES) {
    it(`explains ${c.name}`, () => {
      const report = runDefinition(parseDefinition(c.yaml, 'case.yaml'), RUN_ENVIRONMENT);
      const whys = report.steps.flatMap((s) => s.why.map((w) => w.text));
      assert.deepEqual(whys, c.why);
    });
  }
});
