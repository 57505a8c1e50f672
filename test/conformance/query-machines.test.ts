/**
 * query-machines of each release's real QEMU (x86_64 and s390x) against hotmem's, entry by entry.
 * Ubuntu's 11.0 adds its own machine types, makes one of them the default and gives it the
 * s390-ccw-virtio alias: for that oracle its machines are left out, and the default mark and
 * that alias (which upstream's newest version has) are not compared.
 */
import { strict as assert } from 'node:assert';
import { qemuBinary } from '../../src/cli/binary.js';
import { ARCHES } from '../../src/core/arch.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { requireModelled } from './modelled-release.js';
import { QmpSession } from './qemu.js';
import { isUbuntu, isUbuntuMachine, realQemus, requireReal, type RealQemu } from './real-qemu.js';

type Info = Record<string, unknown> & { name: string };
const byName = (list: readonly Info[]) => Object.fromEntries(list.map((m) => [m.name, m]));

/** What is compared of one side's list: all of it, or without what Ubuntu's own machines move. */
function compared(q: RealQemu, list: readonly Info[]): Record<string, Info> {
  if (!isUbuntu(q)) return byName(list);
  const upstream = list.filter((m) => !isUbuntuMachine(m.name));
  return byName(
    upstream.map((m) => {
      const { 'is-default': _default, alias, ...rest } = m;
      return alias === undefined || alias === 's390-ccw-virtio' ? { ...rest, name: m.name } : { ...rest, name: m.name, alias };
    }),
  );
}

describe('conformance: query-machines of every release', function () {
  this.timeout(30_000);
  for (const arch of ARCHES) {
    for (const q of realQemus(arch, 'all')) {
      it(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const real = await QmpSession.start(q.binary, [], { paused: true });
        const realList = await real.execute<Info[]>('query-machines');
        await real.quit();

        const outcome = runHotmem(
          qemuBinary(
            new Map([
              ['qemu-version', q.release],
              ['arch', arch],
            ]),
          ),
          ['-S'],
          { out: () => undefined, err: () => undefined },
        );
        assert.equal(outcome.kind, 'running');
        const sent: QmpMessage[] = [];
        const [major, minor] = q.release.split('.').map(Number) as [number, number];
        const session = new HotmemSession(
          { machine: outcome.machine, version: { major, minor, micro: 0 }, settle: () => undefined, requestQuit: () => undefined, quitRequested: () => false },
          QMP_COMMANDS,
          (m) => sent.push(m),
        );
        session.handle('{"execute":"qmp_capabilities"}');
        session.handle('{"execute":"query-machines"}');
        assert.deepEqual(compared(q, sent.at(-1)!['return'] as Info[]), compared(q, realList));
      });
    }
  }
});
