/** query-machines of each Debian release's real QEMU (x86_64 and s390x) against hotmem's, entry by entry. */
import { strict as assert } from 'node:assert';
import { qemuBinary } from '../../src/cli/binary.js';
import { ARCHES } from '../../src/core/arch.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { requireModelled } from './modelled-release.js';
import { QmpSession } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';

type Info = Record<string, unknown> & { name: string };
const byName = (list: readonly Info[]) => Object.fromEntries(list.map((m) => [m.name, m]));

describe('conformance: query-machines of every Debian release', function () {
  this.timeout(30_000);
  for (const arch of ARCHES) {
    for (const q of realQemus(arch)) {
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
        assert.deepEqual(byName(sent.at(-1)!['return'] as Info[]), byName(realList));
      });
    }
  }
});
