import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { release } from '../../../src/core/release.js';
import { tcgCpuModelRealize } from '../../../src/machine/cpu-data/load.js';
import type { ReleaseCpus } from '../../../src/machine/cpu-data/format.js';

/** A package root holding one release's file, as scripts/cpu-data.ts writes it. */
function root(data: ReleaseCpus): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-cpus-'));
  mkdirSync(join(dir, 'compat', 'cpus'), { recursive: true });
  writeFileSync(join(dir, 'compat', 'cpus', `${data.arch}-${data.release}.json`), JSON.stringify(data));
  return dir;
}

const DATA: ReleaseCpus = {
  release: '10.0',
  arch: 's390x',
  binary: 'QEMU emulator version 10.0.13',
  accel: 'tcg',
  lines: [
    "warning: 'msa5-base' requires 'kimd-sha-512'.",
    'Some features requested in the CPU model are not available in the current configuration: km-xts-aes-256',
    'Consider a different accelerator, QEMU, or kernel version',
    'a line error_report printed though start-up went on',
  ],
  models: {
    z14: { lines: [0, 1, 2], refused: true },
    z13: { lines: [0] },
    odd: { lines: [3] },
  },
};

describe('machine/cpu-data: what realizing a CPU model prints under TCG', () => {
  const dir = root(DATA);
  const realize = (model: string, version = '10.0') => tcgCpuModelRealize(release(version), 's390x', model, dir);

  it('a refused model: its warnings, then the error with its hint on the line below', () => {
    const r = realize('z14')!;
    assert.deepEqual(r.warnings, [{ code: 'machine.cpu-model', message: "'msa5-base' requires 'kimd-sha-512'." }]);
    assert.equal(r.error?.message, `${DATA.lines[1]!}\n${DATA.lines[2]!}`);
  });

  it('a model that starts with warnings', () => {
    assert.deepEqual(realize('z13'), { warnings: [{ code: 'machine.cpu-model', message: "'msa5-base' requires 'kimd-sha-512'." }] });
  });

  it('a line without "warning: " is printed as an error report', () => {
    assert.deepEqual(realize('odd')?.warnings, [{ code: 'machine.cpu-model', message: DATA.lines[3], reportedAsError: true }]);
  });

  it('a model the file does not list prints nothing', () => {
    assert.deepEqual(realize('qemu'), { warnings: [] });
  });

  it('a release no binary was read from has no record', () => {
    assert.equal(realize('z14', '8.2'), undefined);
  });

  it('the shipped data: x86_64 10.0 refuses host under TCG, and Skylake-Server warns', () => {
    const host = tcgCpuModelRealize(release('10.0'), 'x86_64', 'host');
    assert.equal(host?.error?.message, "CPU model 'host' requires KVM or HVF");
    const skylake = tcgCpuModelRealize(release('10.0'), 'x86_64', 'Skylake-Server');
    assert.ok(skylake!.warnings.some((w) => w.message === "TCG doesn't support requested feature: CPUID.07H:EBX.avx512f [bit 16]"));
  });
});
