import assert from 'node:assert/strict';
import { typeRegistry } from '../../src/cli/binary.js';
import type { Arch } from '../../src/core/arch.js';
import { release } from '../../src/core/release.js';
import { deviceData } from '../../src/qom/device-data/load.js';
import { deviceHelp, type DeviceHelpAnswer } from '../../src/qom/device-help.js';
import { ObjectModel } from '../../src/qom/object-model.js';

function ask(releaseName: string, requested: string, arch: Arch = 'x86_64'): DeviceHelpAnswer {
  const r = release(releaseName);
  return deviceHelp(new ObjectModel(typeRegistry(), { release: r, target: arch }), deviceData(r, arch), requested);
}

const firstLines = (answer: DeviceHelpAnswer, n: number) => ('text' in answer ? answer.text.split('\n').slice(0, n) : answer);

describe('qom/device-help', () => {
  const REFUSALS: ReadonlyArray<readonly [release: string, requested: string, error: string, status: 0 | 1]> = [
    ['7.2', 'no-such-device', "Device 'no-such-device' not found", 0],
    ['5.2', 'pci-device', "Parameter 'typename' expects non-abstract device type", 0],
    ['5.2', 'memory-backend-ram', "Parameter 'typename' expects device", 0],
    ['7.2', 'pci-device', "Parameter 'typename' expects a non-abstract device type", 0],
    ['11.1', 'memory-backend-ram', "Parameter 'typename' expects a non-abstract device type", 0],
    // A type only a loaded module registers is unknown to a fresh QEMU (qom-list-types lists it).
    ['7.2', 'virtio-gpu-pci-base-type', "Device 'virtio-gpu-pci-base-type' not found", 0],
    // The GL display module does not load in bookworm's root: QEMU exits at once.
    ['7.2', 'virtio-gpu-gl-pci', "missing object type 'virtio-gpu-gl-device'", 1],
    // No binary of 9.0 was read: an unmodelled device is not answered with another release's table.
    ['9.0', 'e1000', 'hotmem has no device table for release 9.0', 1],
  ];
  for (const [r, requested, error, status] of REFUSALS) {
    it(`${r} -device ${requested},help: ${error}`, () => assert.deepEqual(ask(r, requested), { error, status }));
  }

  it("prints a device hotmem does not model from the binary's table, 64-bit defaults exactly", () => {
    const answer = ask('11.1', 'pci-bridge');
    assert.ok('text' in answer);
    assert.equal(answer.text.split('\n')[0], 'pci-bridge options:');
    assert.ok(answer.text.includes('  io-reserve=<size>      -  (default: 18446744073709551615)\n'));
    assert.ok(answer.text.includes('  chassis_nr=<uint8>     -  (default: 0)\n'));
  });

  it('renders defaults as JSON up to 9.2 and on/off from 10.0', () => {
    assert.deepEqual(firstLines(ask('7.2', 'e1000'), 3), [
      'e1000 options:',
      '  acpi-index=<uint32>    -  (default: 0)',
      '  addr=<int32>           - Slot and optional function number, example: 06.0 or 06 (default: -1)',
    ]);
    const modern = ask('10.0', 'e1000');
    assert.ok('text' in modern && modern.text.includes('  multifunction=<bool>   - on/off (default: off)\n'), JSON.stringify(modern));
  });

  it('resolves an alias to the type it names', () => {
    assert.deepEqual(firstLines(ask('7.2', 'virtio-balloon'), 1), ['virtio-balloon-pci options:']);
    assert.deepEqual(firstLines(ask('7.2', 'virtio-balloon', 's390x'), 1), ['virtio-balloon-ccw options:']);
  });

  it('answers a modelled device from its own table in a release without a binary', () => {
    assert.deepEqual(firstLines(ask('9.0', 'virtio-balloon-pci'), 1), ['virtio-balloon-pci options:']);
  });
});
