/** query-machines of Debian's QEMU 7.2 (x86_64 and s390x) against hotmem's, entry by entry. */
import { strict as assert } from 'node:assert';
import { qemuBinary } from '../../src/cli/binary.js';
import { ARCHES } from '../../src/core/arch.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { findQemuSystem, QmpSession } from './qemu.js';

type Info = Record<string, unknown> & { name: string };
const byName = (list: readonly Info[]) => Object.fromEntries(list.map((m) => [m.name, m]));

describe('conformance: query-machines', function () {
  this.timeout(30_000);
  for (const arch of ARCHES) {
    it(`qemu-system-${arch} 7.2`, async function () {
      const binary = findQemuSystem(arch);
      if (binary === null) {
        console.log(`      skipped: qemu-system-${arch} is not installed`);
        this.skip();
      }
      const real = await QmpSession.start(binary, [], { paused: true });
      const realList = await real.execute<Info[]>('query-machines');
      await real.quit();

      const outcome = runHotmem(qemuBinary(new Map([['qemu-version', '7.2'], ['arch', arch]])), ['-S'], { out: () => undefined, err: () => undefined });
      assert.equal(outcome.kind, 'running');
      if (outcome.kind !== 'running') return;
      const sent: QmpMessage[] = [];
      const session = new HotmemSession(
        { machine: outcome.machine, version: { major: 7, minor: 2, micro: 0 }, settle: () => undefined, requestQuit: () => undefined, quitRequested: () => false },
        QMP_COMMANDS,
        (m) => sent.push(m),
      );
      session.handle('{"execute":"qmp_capabilities"}');
      session.handle('{"execute":"query-machines"}');
      assert.deepEqual(byName(sent.at(-1)!['return'] as Info[]), byName(realList));
    });
  }
});
