import assert from 'node:assert/strict';
import { formatPciHostAddress, parsePciHostAddress } from '../../../devices/vfio-pci/host-address.js';

describe('devices/vfio-pci/host-address: host= as set_pci_host_devaddr parses it', () => {
  // text → the sysfs name it leads to, or undefined where every real binary (5.2.0, 7.2.22,
  // 10.0.13, 11.1.3) refuses it with "Property 'vfio-pci.host' doesn't take value"
  const CASES: ReadonlyArray<readonly [string, string | undefined]> = [
    ['0000:41:00.0', '0000:41:00.0'],
    ['41:00.0', '0000:41:00.0'],
    ['ffff:ff:1f.7', 'ffff:ff:1f.7'],
    ['0:0:0.0', '0000:00:00.0'],
    ['0:0.0', '0000:00:00.0'],
    [' 00:00.0', '0000:00:00.0'],
    ['+1:00.0', '0000:01:00.0'],
    ['0x1:00.0', '0000:01:00.0'],
    ['00:1f.07', '0000:00:1f.7'],
    ['1:2:3.4', '0001:02:03.4'],
    ['10000:00:00.0', undefined],
    ['00:00', undefined],
    ['00:00.0x', undefined],
    ['-1:00.0', undefined],
    ['00:00.0.1', undefined],
    ['a:b:c:d.0', undefined],
    ['000:100:00.0', undefined],
    ['100:00.0', undefined],
    ['00:00.8', undefined],
    ['00:20.0', undefined],
    ['00:00.', undefined],
    [':00.0', undefined],
    ['00:.0', undefined],
    ['1:2:3:4.0', undefined],
    ['zz', undefined],
  ];
  for (const [text, sysfs] of CASES) {
    it(`'${text}' → ${sysfs ?? 'refused'}`, () => {
      const parsed = parsePciHostAddress(text);
      assert.equal(parsed && formatPciHostAddress(parsed), sysfs);
    });
  }
});
