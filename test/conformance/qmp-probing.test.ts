/**
 * What management layers probe a binary with, against the real QEMU of every Debian suite:
 * query-commands, query-qmp-schema, qom-list-types (every type, abstract ones, one ancestor's),
 * device-list-properties of every device type the binary reports and of names it refuses, and
 * qom-list-properties of the memory types and libvirt's secret.
 * Skips, saying so, where a root is missing.
 */
import { strict as assert } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import { qmpJson } from '../../src/frontends/qmp/json.js';
import { isUbuntu, realQemus, requireReal, UBUNTU_MACHINE_TYPE, type RealQemu } from './real-qemu.js';
import { hotmemTranscript, realTranscript, type Reply, type Step } from './transcripts.js';

/** hotmem's replies as the wire carries them (64-bit integers as digits), read back as the real ones are. */
const asWire = (replies: readonly Reply[]): unknown => JSON.parse(qmpJson(replies)) as unknown;

/** qom-list-types answers in hash-table order: compared by name. */
function byName(reply: Reply | undefined): Reply | undefined {
  if (!reply || !('return' in reply)) return reply;
  return { return: [...(reply.return as { name: string }[])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** A real qom-list-types reply without Ubuntu's own machine types, which hotmem does not model. */
function upstreamTypes(q: RealQemu, reply: Reply): Reply {
  if (!isUbuntu(q) || !('return' in reply)) return reply;
  return { return: (reply.return as { name: string }[]).filter((t) => !UBUNTU_MACHINE_TYPE.test(t.name)) };
}

/**
 * Devices whose module does not load in bookworm's root: asking for them ends QEMU (hotmem's
 * monitor answers with QEMU's message instead); device-help.test.ts holds that message.
 */
const UNLOADABLE: Readonly<Record<string, readonly string[]>> = { '7.2': ['virtio-gpu-gl-pci', 'virtio-vga-gl'] };

/**
 * Known differences by type, each with why. The sclp event facility's child bus is named by a
 * process-wide count of such buses: the data was read without a machine (`.0`), a live QEMU's
 * machine already has one (`.1`).
 */
const KNOWN: Readonly<Record<string, string>> = {
  's390-sclp-event-facility': 'child bus s390-sclp-events-bus.N counts the buses the machine already made',
};

/**
 * qom-list-properties of the types a memory management layer probes, and of names QEMU refuses
 * (unknown, an interface). Per arch: the proxies are PCI on x86_64, CCW on s390x.
 */
const PROPERTY_TYPES: Readonly<Record<'x86_64' | 's390x', readonly string[]>> = {
  x86_64: ['virtio-mem-pci', 'virtio-balloon-pci'],
  s390x: ['virtio-balloon-ccw'],
};
const COMMON_PROPERTY_TYPES: readonly string[] = [
  'no-such-type',
  'user-creatable',
  'memory-backend',
  'memory-backend-ram',
  'memory-backend-file',
  'memory-backend-memfd',
  'secret_common',
  'secret',
  'secret_keyring',
  'iothread',
];

const TYPE_QUERIES: readonly Step[] = [
  ['qom-list-types'],
  ['qom-list-types', { abstract: true }],
  ['qom-list-types', { implements: 'pci-device', abstract: true }],
];

describe('conformance: QMP probing by release', function () {
  this.timeout(300_000);
  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch, 'all')) {
      describe(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, () => {
        it('query-commands and query-qmp-schema equal the binary', async function () {
          requireReal(this, q);
          const script: Step[] = [['query-commands'], ['query-qmp-schema']];
          const real = await realTranscript(q.binary, [], script);
          assert.deepEqual(asWire(hotmemTranscript(q.release, [], script, arch).replies), real.replies);
        });

        it('qom-list-types lists the types the binary lists', async function () {
          requireReal(this, q);
          const real = await realTranscript(q.binary, [], TYPE_QUERIES);
          const model = asWire(hotmemTranscript(q.release, [], TYPE_QUERIES, arch).replies) as Reply[];
          assert.deepEqual(
            model.map(byName),
            real.replies.map((r) => byName(upstreamTypes(q, r))),
          );
        });

        it('qom-list-properties answers as the binary for the memory types and secrets', async function () {
          requireReal(this, q);
          const script: Step[] = [...COMMON_PROPERTY_TYPES, ...PROPERTY_TYPES[arch]].map((typename) => ['qom-list-properties', { typename }]);
          const real = await realTranscript(q.binary, [], script);
          // QEMU lists an object's properties in its hash table's order: compared by name.
          const model = asWire(hotmemTranscript(q.release, [], script, arch).replies) as Reply[];
          assert.deepEqual(model.map(byName), real.replies.map(byName));
        });

        it('device-list-properties answers as the binary for every device type', async function () {
          requireReal(this, q);
          const listing = await realTranscript(q.binary, [], [['qom-list-types', { implements: 'device' }]]);
          const types = (listing.replies[0] as { return: { name: string }[] }).return
            .map((t) => t.name)
            .filter((t) => !(UNLOADABLE[q.release] ?? []).includes(t));
          // Refusals first: asking for a device of a module loads that module in a live QEMU.
          const script: Step[] = ['no-such-device', 'pci-device', 'memory-backend-ram', ...types].map((typename) => ['device-list-properties', { typename }]);
          const real = await realTranscript(q.binary, [], script);
          const model = asWire(hotmemTranscript(q.release, [], script, arch).replies) as Reply[];
          const differing = script.flatMap(([, args], i) => (isDeepStrictEqual(model[i], real.replies[i]) ? [] : [String(args!['typename'])]));
          for (const type of differing.filter((t) => t in KNOWN)) console.log(`      known difference ${type}: ${KNOWN[type]!}`);
          assert.deepEqual(
            differing.filter((t) => !(t in KNOWN)),
            [],
          );
        });
      });
    }
  }
});
