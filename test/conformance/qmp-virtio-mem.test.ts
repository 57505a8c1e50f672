/**
 * The same machine and the same QMP script through each Debian release's real QEMU and through
 * `hotmem qemu` of that release, compared reply by reply (parsed JSON: QEMU's member order follows
 * its hash tables), plus what each printed on stderr. The table covers the unplugged-inaccessible
 * tristate (default/on/off/auto) with an anonymous and a memfd backend on every x86 machine type
 * of each release.
 *
 * Cost: one process per machine type holds all eight configurations as eight devices; where that
 * machine refuses them, each option's pair runs on its own (a pair that fails is compared by what
 * both printed). Machine types run on a small pool of concurrent processes, prepared before the
 * assertions.
 */
import { strict as assert } from 'node:assert';
import { availableParallelism } from 'node:os';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { isModelled } from './modelled-release.js';
import { isMissing, realQemus, requireReal, type RealQemu } from './real-qemu.js';
import { hotmemTranscript, realTranscript, type Step, type Transcript } from './transcripts.js';

const BACKENDS = ['memory-backend-ram', 'memory-backend-memfd'] as const;
const OPTIONS = ['', ',unplugged-inaccessible=on', ',unplugged-inaccessible=off', ',unplugged-inaccessible=auto'] as const;

interface Config {
  readonly backend: (typeof BACKENDS)[number];
  readonly option: (typeof OPTIONS)[number];
}

const CONFIGS: readonly Config[] = OPTIONS.flatMap((option) => BACKENDS.map((backend) => ({ backend, option })));

/**
 * What of x-query-virtio-status is left out of the comparison, and why: on 10.0 the host-features
 * member, whose feature-name decoding per release is branch gaps-b's (its conformance compares
 * it; the rest of the status is compared here); on 11.1 the whole query, on which Debian sid's
 * QEMU 11.1.3 aborts for virtio-mem (an assertion in qapi-visit-core.c: a QEMU bug, not modelled).
 */
const VIRTIO_STATUS_LEFT_OUT: Readonly<Record<string, { readonly member: 'host-features' } | 'query'>> = {
  '10.0': { member: 'host-features' },
  '11.1': 'query',
};

/** The transcript without what VIRTIO_STATUS_LEFT_OUT leaves to others. */
function comparable(release: string, steps: readonly Step[], t: Transcript): Transcript {
  const leftOut = VIRTIO_STATUS_LEFT_OUT[release];
  if (leftOut === undefined || leftOut === 'query') return t;
  const replies = t.replies.map((reply, i) => {
    if (steps[i]?.[0] !== 'x-query-virtio-status' || !('return' in reply)) return reply;
    const { [leftOut.member]: _left, ...rest } = reply.return as Record<string, unknown>;
    return { return: rest };
  });
  return { ...t, replies };
}

function script(release: string, devices: number): Step[] {
  const ids = Array.from({ length: devices }, (_, i) => `vm${i}`);
  const perDevice = (steps: (id: string) => Step[]) => ids.flatMap(steps);
  return [
    ...perDevice((id) => [
      ['qom-get', { path: id, property: 'unplugged-inaccessible' }],
      ['qom-get', { path: id, property: 'block-size' }],
      ['qom-get', { path: id, property: 'requested-size' }],
      ['qom-get', { path: id, property: 'memaddr' }],
      ['qom-get', { path: id, property: 'prealloc' }],
      ['qom-get', { path: `/machine/peripheral/${id}/virtio-backend`, property: 'queue_reset' }],
      ...(VIRTIO_STATUS_LEFT_OUT[release] === 'query' ? [] : [['x-query-virtio-status', { path: `/machine/peripheral/${id}/virtio-backend` }] as Step]),
    ]),
    ['query-memory-devices'],
    ['query-memory-size-summary'],
    ...perDevice((id) => [
      ['qom-set', { path: id, property: 'requested-size', value: 1048576 }],
      ['qom-set', { path: id, property: 'requested-size', value: 0 }],
      // QEMU reads a JSON integer past 2^53 exactly (as uint64) and checks it.
      ['qom-set', { path: id, property: 'requested-size', value: 0xffffffffffffffffn }],
      ['qom-set', { path: id, property: 'memaddr', value: 0 }],
      ['qom-set', { path: id, property: 'size', value: 0 }],
      ['device_del', { id }],
    ]),
  ];
}

const argsOf = (machine: string, configs: readonly Config[]): string[] => [
  '-machine',
  machine,
  '-m',
  `1G,maxmem=${configs.length + 2}G`,
  ...configs.flatMap((c, i) => ['-object', `${c.backend},id=mem${i},size=1G`, '-device', `virtio-mem-pci,id=vm${i},memdev=mem${i}${c.option}`]),
];

interface Run {
  readonly configs: readonly Config[];
  readonly model: Transcript;
  readonly real: Transcript;
}

/** All eight in one process; where that fails to start, each option's pair on its own. */
async function compareMachine(q: RealQemu, machine: string): Promise<Run[]> {
  const run = async (configs: readonly Config[]): Promise<Run> => {
    const args = argsOf(machine, configs);
    const steps = script(q.release, configs.length);
    return {
      configs,
      model: comparable(q.release, steps, hotmemTranscript(q.release, args, steps)),
      real: comparable(q.release, steps, await realTranscript(q.binary, args, steps)),
    };
  };
  const all = await run(CONFIGS);
  if (all.real.replies.length > 0) return [all];
  return Promise.all(OPTIONS.map((option) => run(CONFIGS.filter((c) => c.option === option))));
}

async function pool<T>(jobs: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await jobs[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

const describeRun = (r: Run): string => r.configs.map((c) => `${c.backend}${c.option}`).join(' + ');

describe('conformance: virtio-mem over QMP on every x86 machine type of every Debian release', function () {
  const data = loadCompatData();
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, function () {
      const machines = isModelled(q.release)
        ? data
            .machineTypes(q.release, 'x86_64')
            .filter((m) => m.series?.id === 'pc-i440fx' || m.series?.id === 'pc-q35')
            .map((m) => m.name)
        : [];
      const results = new Map<string, Run[]>();
      before(async function () {
        if (isMissing(q) || machines.length === 0) return;
        this.timeout(600_000);
        const runs = await pool(
          machines.map((m) => () => compareMachine(q, m)),
          Math.max(2, Math.min(4, availableParallelism())),
        );
        machines.forEach((m, i) => results.set(m, runs[i]!));
      });

      if (machines.length === 0) {
        it('every machine type', function () {
          requireReal(this, q);
          console.log(`      skipped: hotmem does not model QEMU ${q.release} (not in compat/releases.yaml)`);
          this.skip();
        });
      }
      for (const machine of machines) {
        it(`${machine}: ${CONFIGS.length} configurations`, function () {
          requireReal(this, q);
          for (const r of results.get(machine)!) assert.deepEqual(r.model, r.real, describeRun(r));
        });
      }
    });
  }
});
