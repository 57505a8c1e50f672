import assert from 'node:assert/strict';
import { optionValue, parseOptions, splitOptions } from '../../../src/core/parse/options.js';

describe('core/parse/options: QemuOpts syntax', () => {
  const SPLIT: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['a,b=c', ['a', 'b=c']],
    ['a,,b', ['a,b']],
    ['mem-path=/tmp/a,,b,size=1G', ['mem-path=/tmp/a,b', 'size=1G']],
    ['a,,,b', ['a,', 'b']],
    ['', ['']],
    ['a,', ['a', '']],
  ];
  for (const [input, parts] of SPLIT) {
    it(`splits ${JSON.stringify(input)}`, () => assert.deepEqual(splitOptions(input), parts));
  }

  it('puts a leading bare value under the implied key', () => {
    const parsed = parseOptions('virtio-mem-pci,id=vm0,memdev=m0', 'driver');
    assert.deepEqual(parsed.entries, [
      { key: 'driver', value: 'virtio-mem-pci' },
      { key: 'id', value: 'vm0' },
      { key: 'memdev', value: 'm0' },
    ]);
    assert.equal(parsed.helpRequested, false);
  });

  it('recognises help and ?', () => {
    assert.equal(parseOptions('virtio-mem-pci,help', 'driver').helpRequested, true);
    assert.equal(parseOptions('?', 'driver').helpRequested, true);
  });

  it('reads bare flags as on/off and warns that the short form is deprecated', () => {
    const parsed = parseOptions('memory-backend-ram,id=m0,prealloc,noshare', 'qom-type');
    assert.equal(optionValue(parsed, 'prealloc'), 'on');
    assert.equal(optionValue(parsed, 'share'), 'off');
    assert.deepEqual(
      parsed.warnings.map((w) => w.message),
      [
        "short-form boolean option 'prealloc' deprecated\nPlease use prealloc=on instead",
        "short-form boolean option 'noshare' deprecated\nPlease use share=off instead",
      ],
    );
  });

  it('lets the last duplicate win', () => {
    assert.equal(optionValue(parseOptions('a=1,a=2'), 'a'), '2');
  });
});
