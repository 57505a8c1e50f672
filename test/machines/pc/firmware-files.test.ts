import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { firmwareFiles, romDataPages } from '../../../machines/pc/firmware-files.js';

describe('machines/pc/firmware-files: the firmware files of each Debian build', () => {
  it("takes the nearest older Debian build's firmware files for a release without one", () => {
    const table: readonly [string, string][] = [
      ['5.1', '5.2'],
      ['5.2', '5.2'],
      ['8.2', '7.2'],
      ['10.2', '10.0'],
      ['11.1', '11.1'],
    ];
    for (const [r, build] of table) assert.equal(firmwareFiles(release(r)).release, build, r);
  });

  it("counts a ROM image's data pages as the pages it covers: bullseye's 249344-byte efi-virtio.rom 61, its 39424-byte vgabios 10", () => {
    assert.equal(romDataPages(firmwareFiles(release('5.2')).sizes['efi-virtio.rom']!), 61);
    assert.equal(romDataPages(firmwareFiles(release('5.2')).sizes['vgabios-stdvga.bin']!), 10);
  });
});
