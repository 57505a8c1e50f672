import assert from 'node:assert/strict';
import type { Warning } from '../../src/core/errors.js';
import { release } from '../../src/core/release.js';
import { DEFAULT_HOST_X86_CPU } from '../../src/host/host.js';
import type { Accelerator } from '../../src/machine/machine.js';
import { x86CpuFacts, type X86CpuFacts } from '../../src/machine/x86-cpu.js';

function facts(rel: string, accel: Accelerator, text: string | undefined): { facts: X86CpuFacts; warnings: string[] } {
  const warnings: Warning[] = [];
  const option =
    text === undefined
      ? undefined
      : {
          model: text.split(',')[0]!,
          props: text
            .split(',')
            .slice(1)
            .map((p) => ({ name: p.split('=')[0]!, value: p.split('=')[1]! })),
          plus: [],
          minus: [],
          warnings: [],
        };
  return { facts: x86CpuFacts(option, accel, DEFAULT_HOST_X86_CPU, release(rel), (w) => warnings.push(w)), warnings: warnings.map((w) => w.message) };
}

describe('machine/x86-cpu', () => {
  // release, accel, -cpu -> AMD, phys-bits, warnings (as the binaries settle them on an AMD host with 48 bits)
  const FACTS: ReadonlyArray<readonly [string, Accelerator, string | undefined, boolean, number, readonly string[]]> = [
    ['10.0', 'tcg', undefined, true, 40, []],
    ['10.0', 'tcg', 'max', true, 40, []],
    ['10.0', 'kvm', 'max', true, 48, []],
    ['11.1', 'kvm', 'host', true, 48, []],
    ['10.0', 'tcg', 'Skylake-Client', false, 40, []],
    ['10.0', 'tcg', 'EPYC-Rome-v2', true, 40, []],
    ['10.0', 'tcg', 'Dhyana', false, 40, []],
    ['10.0', 'tcg', 'qemu64,phys-bits=48', true, 48, []],
    ['10.0', 'tcg', 'qemu64,host-phys-bits=on', true, 40, []],
    ['10.0', 'kvm', 'qemu64,host-phys-bits=on,host-phys-bits-limit=42', true, 42, []],
    ['10.0', 'kvm', 'qemu64,phys-bits=44', true, 44, ['Host physical bits (48) does not match phys-bits property (44)']],
    ['11.1', 'tcg', 'qemu64,phys-bits=53', true, 53, []],
  ];
  for (const [rel, accel, cpu, amd, physBits, warnings] of FACTS) {
    it(`${rel} ${accel} -cpu ${cpu ?? '(default)'}: ${amd ? 'AMD' : 'not AMD'}, ${physBits} bits`, () => {
      assert.deepEqual(facts(rel, accel, cpu), { facts: { amd, physBits }, warnings });
    });
  }

  const REFUSED: ReadonlyArray<readonly [string, Accelerator, string, string]> = [
    ['5.2', 'tcg', 'qemu64,phys-bits=48', 'TCG only supports phys-bits=40'],
    ['7.2', 'tcg', 'qemu64,phys-bits=30', 'phys-bits should be between 32 and 52  (but is 30)'],
    ['10.0', 'tcg', 'qemu64,phys-bits=53', 'phys-bits should be between 32 and 52  (but is 53)'],
    ['11.1', 'kvm', 'qemu64,phys-bits=30', 'phys-bits should be at least 32 (but is 30)'],
    ['11.1', 'kvm', 'qemu64,phys-bits=53', 'hotmem does not model phys-bits=53 under KVM (QEMU 11.1 aborts in kvm_get_msrs)'],
    ['10.0', 'tcg', 'qemu32', "hotmem does not model the address space of the 32-bit CPU model 'qemu32'"],
  ];
  for (const [rel, accel, cpu, message] of REFUSED) {
    it(`${rel} ${accel} -cpu ${cpu}: ${message}`, () => assert.throws(() => facts(rel, accel, cpu), { message }));
  }
});
