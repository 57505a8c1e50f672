import assert from 'node:assert/strict';
import { qmpJson } from '../../../../src/frontends/qmp/json.js';
import { hotmemTranscript, type Reply, type Step } from '../../../conformance/transcripts.js';

const ask = (release: string, step: Step, arch: 'x86_64' | 's390x' = 'x86_64'): Reply => hotmemTranscript(release, [], [step], arch).replies[0]!;
const error = (klass: string, desc: string): Reply => ({ error: { class: klass, desc } });

describe('frontends/qmp/commands/probing', () => {
  const REFUSALS: ReadonlyArray<readonly [release: string, step: Step, reply: Reply]> = [
    ['7.2', ['device-list-properties', { typename: 'no-such-device' }], error('DeviceNotFound', "Device 'no-such-device' not found")],
    ['5.2', ['device-list-properties', { typename: 'pci-device' }], error('GenericError', "Parameter 'typename' expects non-abstract device type")],
    ['5.2', ['device-list-properties', { typename: 'memory-backend-ram' }], error('GenericError', "Parameter 'typename' expects device")],
    ['10.0', ['device-list-properties', { typename: 'pci-device' }], error('GenericError', "Parameter 'typename' expects a non-abstract device type")],
    ['7.2', ['device-list-properties', { typename: 'virtio-gpu-gl-pci' }], error('GenericError', "missing object type 'virtio-gpu-gl-device'")],
    ['7.2', ['device-list-properties', {}], error('GenericError', "Parameter 'typename' is missing")],
    ['9.0', ['device-list-properties', { typename: 'e1000' }], error('GenericError', 'hotmem has no device table for release 9.0')],
    ['9.0', ['qom-list-types'], error('GenericError', 'hotmem has no device table for release 9.0')],
    ['9.0', ['query-commands'], error('GenericError', 'hotmem has no QMP schema for release 9.0')],
    ['8.2', ['query-qmp-schema'], error('GenericError', 'hotmem has no QMP schema for release 8.2')],
    ['11.1', ['qom-list-types', { implements: 'memory-device' }], error('GenericError', 'hotmem has no interface table for release 11.1')],
  ];
  for (const [release, step, reply] of REFUSALS) {
    it(`${release} ${step[0]} ${JSON.stringify(step[1] ?? {})}: ${JSON.stringify(reply)}`, () => assert.deepEqual(ask(release, step), reply));
  }

  it('device-list-properties carries a 64-bit default exactly on the wire', () => {
    const reply = ask('11.1', ['device-list-properties', { typename: 'pci-bridge' }]);
    assert.ok('return' in reply);
    assert.ok(qmpJson(reply.return).includes('"name": "io-reserve", "type": "size", "default-value": 18446744073709551615'), qmpJson(reply.return));
  });

  it('qom-list-types filters by ancestry and hides abstract types unless asked', () => {
    const names = (reply: Reply) => ('return' in reply ? (reply.return as { name: string; abstract?: boolean }[]) : []);
    const pci = names(ask('7.2', ['qom-list-types', { implements: 'pci-device' }]));
    assert.ok(pci.some((t) => t.name === 'virtio-balloon-pci'));
    assert.ok(!pci.some((t) => t.name === 'virtio-pci' || t.abstract === true));
    assert.ok(names(ask('7.2', ['qom-list-types', { implements: 'pci-device', abstract: true }])).some((t) => t.name === 'virtio-pci' && t.abstract === true));
  });

  it("query-commands lists the release's commands", () => {
    const reply = ask('10.0', ['query-commands'], 's390x');
    assert.ok('return' in reply);
    const commands = (reply.return as { name: string }[]).map((c) => c.name);
    assert.ok(commands.includes('query-memory-devices') && commands.includes('device-list-properties'));
  });
});
