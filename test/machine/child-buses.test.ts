/**
 * The buses controllers create (src/machine/child-buses.ts): their names as qbus_init_internal
 * gives them, IDE units as ide_qdev_realize assigns them, and the drive a disk needs.
 * test/conformance/device-buses.test.ts compares whole command lines with the four binaries.
 */
import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { controllerBuses, ideUnit, missingDrive, type ChildBusKind } from '../../src/machine/child-buses.js';

const names = (type: string, id: string | undefined, autoIds = new Map<ChildBusKind, number>(), companion = false) =>
  controllerBuses({ type, id, companion }, release('10.0'), 'x86_64', autoIds).map((b) => `${b.name}:${b.kind}:${b.units ?? '-'}:${b.hotplug}`);

describe('machine/child-buses', () => {
  const CASES: ReadonlyArray<readonly [what: string, type: string, id: string | undefined, expect: readonly string[]]> = [
    ['PIIX IDE', 'piix3-ide', undefined, ['ide.0:IDE:2:none', 'ide.1:IDE:2:none']],
    ['AHCI with an id', 'ich9-ahci', 'sata', ['sata.0', 'sata.1', 'sata.2', 'sata.3', 'sata.4', 'sata.5'].map((n) => `${n}:IDE:1:none`)],
    ['a UHCI controller', 'piix3-usb-uhci', 'usb', ['usb.0:usb-bus:-:immediate']],
    ['an xHCI controller', 'qemu-xhci', undefined, ['usb-bus.0:usb-bus:-:immediate']],
    ['virtio-scsi', 'virtio-scsi-pci', undefined, ['scsi.0:SCSI:-:immediate']],
    ['virtio-serial with an id', 'virtio-serial-pci', 'vs', ['vs.0:virtio-serial-bus:-:immediate']],
    ['a device that is no controller', 'e1000', 'n', []],
  ];
  for (const [what, type, id, expect] of CASES) it(`${what}: ${expect.join(' ') || 'none'}`, () => assert.deepEqual(names(type, id), expect));

  it('numbers anonymous buses per bus type across controllers', () => {
    const autoIds = new Map<ChildBusKind, number>();
    names('piix3-ide', undefined, autoIds);
    assert.deepEqual(
      names('ich9-ahci', undefined, autoIds).map((n) => n.split(':')[0]),
      ['ide.2', 'ide.3', 'ide.4', 'ide.5', 'ide.6', 'ide.7'],
    );
    assert.deepEqual(names('qemu-xhci', undefined, autoIds), ['usb-bus.0:usb-bus:-:immediate']);
  });

  it('gives a USB companion controller no bus of its own', () => assert.deepEqual(names('ich9-usb-uhci1', undefined, new Map(), true), []));

  const UNITS: ReadonlyArray<readonly [requested: number, units: number, taken: readonly number[], expect: number | string]> = [
    [0xffffffff, 2, [], 0],
    [0xffffffff, 2, [0], 1],
    [0xffffffff, 2, [1], 0],
    [0xffffffff, 2, [0, 1], 'IDE unit 1 is in use'],
    [0xffffffff, 1, [0], "Can't create IDE unit 1, bus supports only 1 units"],
    [1, 1, [], "Can't create IDE unit 1, bus supports only 1 units"],
    [0, 2, [0], 'IDE unit 0 is in use'],
    [0xfffffffe, 2, [], "Can't create IDE unit -2, bus supports only 2 units"],
  ];
  for (const [requested, units, taken, expect] of UNITS) {
    it(`unit ${requested} on a bus of ${units} with ${JSON.stringify(taken)} taken: ${expect}`, () => {
      let got: number | string;
      try {
        got = ideUnit(requested, units, new Set(taken));
      } catch (e) {
        got = (e as Error).message;
      }
      assert.equal(got, expect);
    });
  }

  it('refuses a disk without a drive as its realize does, and lets a CD-ROM go empty', () => {
    assert.equal(missingDrive('ide-hd', undefined)?.message, 'No drive specified');
    assert.equal(missingDrive('scsi-hd', undefined)?.message, 'drive property not set');
    assert.equal(missingDrive('ide-hd', 'disk0'), undefined);
    assert.equal(missingDrive('ide-cd', undefined), undefined);
    assert.equal(missingDrive('virtio-blk-device', undefined)?.message, 'drive property not set');
  });
});
