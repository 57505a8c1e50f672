import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { checkCpu } from '../../../src/frontends/cmdline/cpu-option.js';

describe('frontends/cmdline/cpu-option: -cpu as parse_cpu_option and x86_cpu_parse_featurestr read it', () => {
  // -cpu argument -> globals, +flags, -flags, warnings (as the four binaries print them)
  const CASES: ReadonlyArray<readonly [string, readonly string[], readonly string[], readonly string[], readonly string[]]> = [
    ['qemu64', [], [], [], []],
    ['qemu64,,', [], [], [], []],
    ['max,-x2apic', [], [], ['x2apic'], []],
    ['qemu64,+sse4_1,lahf_lm,pmu=off', ['lahf-lm=on', 'pmu=off'], ['sse4_1'], [], []],
    ['qemu64,tsc-freq=2.5G', ['tsc-frequency=2500000000'], [], [], []],
    [
      'qemu64,+x2apic,-vmx,x2apic=off,vmx=on',
      ['x2apic=off', 'vmx=on'],
      ['x2apic'],
      ['vmx'],
      [
        'Ambiguous CPU model string. Don\'t mix both "+x2apic" and "x2apic=off"',
        'Ambiguous CPU model string. Don\'t mix both "-vmx" and "vmx=on"',
        "Compatibility of ambiguous CPU model strings won't be kept on future QEMU versions",
      ],
    ],
  ];
  for (const [text, globals, plus, minus, warnings] of CASES) {
    it(text, () => {
      const { option, error } = checkCpu(text, release('10.0'), 'x86_64');
      assert.equal(error, undefined);
      assert.deepEqual(
        option.props.map((p) => `${p.name}=${p.value}`),
        globals,
      );
      assert.deepEqual([option.plus, option.minus], [plus, minus]);
      assert.deepEqual(
        option.warnings.map((w) => w.message),
        warnings,
      );
    });
  }

  it('errors: a malformed tsc-freq, an unknown model (whose features are not looked at)', () => {
    assert.equal(checkCpu('qemu64,tsc-freq=2x', release('11.1'), 'x86_64').option.error?.message, 'bad numerical value 2x');
    const unknown = checkCpu('frob,+x,x=on', release('11.1'), 'x86_64');
    assert.equal(unknown.error?.message, "unable to find CPU model 'frob'");
    assert.deepEqual(unknown.option.warnings, []);
  });

  it("s390x's features are refused by name", () => {
    assert.throws(() => checkCpu('z14,vx=on', release('10.0'), 's390x'), /hotmem does not model the CPU property 'vx' \(-cpu z14,vx=on\)/);
  });
});
