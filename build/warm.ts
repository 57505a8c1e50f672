/**
 * What a build runs once so that the start-up artefacts hold compiled code: the V8 code cache
 * (bin.cts) and the start-up snapshot (snapshot-entry.ts) keep the functions that ran, so both
 * run what a short command runs: the version, `-machine help`, and a machine started and asked
 * over QMP.
 */
import { Readable, Writable } from 'node:stream';
import type { Hotmem } from './bin.cjs';

export async function warm(hotmem: Pick<Hotmem, 'runCli'>): Promise<void> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const io = { out: () => undefined, err: () => undefined, stdout: sink };
  const qmp = [
    '{"execute":"qmp_capabilities"}',
    '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/vm0","property":"size"}}',
    '{"execute":"quit"}',
  ];
  await hotmem.runCli(['--version'], io);
  await hotmem.runCli(['machines'], io);
  await hotmem.runCli(
    [
      'qemu',
      '-machine',
      'q35',
      '-m',
      '1G,slots=1,maxmem=4G',
      '-object',
      'memory-backend-memfd,id=mem0,size=2G',
      '-device',
      'virtio-mem-pci,id=vm0,memdev=mem0',
      '-S',
      '-nodefaults',
      '-display',
      'none',
      '-qmp',
      'stdio',
    ],
    { ...io, stdin: Readable.from(qmp.map((line) => `${line}\n`)) },
  );
}
