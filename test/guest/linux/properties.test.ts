import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MemRequest } from '../../../devices/virtio-mem/request.js';
import { GiB, MiB } from '../../../src/core/units.js';
import { gpaRange } from '../../../src/guest/linux/ranges.js';
import type { FakeVirtioMem } from './fake-virtio-mem.js';
import { bootGuest } from './fixtures.js';

/** The unit the driver plugs in: the subblock (SBM) or big block (BBM) it reports. */
function unitOf(lines: string[]): number {
  const line = lines.find((l) => / (subblock|big block) size: /.test(l));
  return Number(line!.split(': ').at(-1));
}

/** Checks a request against the device's state before the device answers it. */
function honestyViolation(r: MemRequest, d: FakeVirtioMem): string | undefined {
  if (r.kind === 'unplug-all') return undefined;
  const start = Number(r.addr);
  const size = r.nbBlocks * d.blockSize;
  if (r.nbBlocks === 0 || (start - d.addr) % d.blockSize !== 0) return `misaligned ${r.kind}`;
  if (start < d.addr || start + size > d.addr + d.usableRegionSize) return `${r.kind} outside the usable region`;
  if (r.kind === 'plug' && d.pluggedSize() + size > d.requestedSize) return 'plug past requested_size';
  return undefined;
}

const action = fc.oneof(
  fc.record({ kind: fc.constant('resize' as const), blocks: fc.nat(1024) }),
  fc.record({ kind: fc.constant('busy' as const), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('touch' as const), at: fc.nat(511), pages: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('free-all' as const) }),
);

const guests = fc.constantFrom(
  { kernel: '5.8', arch: 'x86_64' as const, blockSize: 2 * MiB },
  { kernel: '5.15', arch: 'x86_64' as const, blockSize: 2 * MiB },
  { kernel: '6.1', arch: 'x86_64' as const, blockSize: 2 * MiB },
  { kernel: '6.1', arch: 'x86_64' as const, blockSize: 256 * MiB },
  { kernel: '6.1', arch: 'x86_64' as const, blockSize: 1 * GiB },
  { kernel: '6.13', arch: 's390x' as const, blockSize: 1 * MiB },
);

describe('guest/linux/virtio-mem properties against an honest device', () => {
  it('requests stay inside the usable region, never plug past requested_size, and converge', () => {
    fc.assert(
      fc.property(guests, fc.array(action, { minLength: 1, maxLength: 12 }), (guest, actions) => {
        const region = 2 * GiB;
        const g = bootGuest({ kernel: guest.kernel, arch: guest.arch, device: { addr: 4 * GiB, regionSize: region, blockSize: guest.blockSize } });
        const violations: string[] = [];
        let busy = 0;
        g.device.script = (r, d) => {
          const v = honestyViolation(r, d);
          if (v !== undefined) violations.push(v);
          if (busy > 0 && r.kind !== 'state') {
            busy--;
            return { kind: 'busy' };
          }
          return undefined;
        };
        for (const a of actions) {
          switch (a.kind) {
            case 'resize':
              g.device.setRequestedSize(Math.min(region, a.blocks * guest.blockSize));
              break;
            case 'busy':
              busy += a.count;
              break;
            case 'touch': {
              const plugged = g.driver.pluggedRanges();
              const target = plugged[a.at % Math.max(plugged.length, 1)];
              if (target !== undefined) g.workload.touch(gpaRange(target.start, Math.min(target.length, a.pages * 4096)), a.at);
              break;
            }
            case 'free-all':
              for (const r of g.ram.inUseRanges()) g.workload.free(r);
              break;
          }
          // Memory in use keeps an unplug retrying forever: give each action a bounded run.
          g.scheduler.runUntilIdle(200);
        }
        for (const r of g.ram.inUseRanges()) g.workload.free(r);
        busy = 0;
        g.device.setRequestedSize(g.device.requestedSize);
        assert.equal(g.scheduler.runUntilIdle(5_000).kind, 'idle');
        assert.deepEqual(violations, []);
        assert.ok(g.handled().every((h) => h.answer === 'detach' || (h.answer.kind !== 'nack' && h.answer.kind !== 'error')));
        assert.equal(g.driver.sizes().plugged, g.device.pluggedSize());
        const unit = unitOf(g.driver.logLines());
        assert.ok(Math.abs(g.device.pluggedSize() - g.device.requestedSize) < unit, `${g.device.pluggedSize()} vs ${g.device.requestedSize}`);
        assert.equal(g.driver.memTotalContribution(), g.device.pluggedSize());
      }),
      { seed: 20250601, numRuns: 150 },
    );
  });
});
