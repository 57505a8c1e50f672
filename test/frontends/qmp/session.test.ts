import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { Machine } from '../../../src/machine/index.js';
import { QMP_COMMANDS } from '../../../src/frontends/qmp/commands/index.js';
import { QmpSession, type QmpMessage } from '../../../src/frontends/qmp/session.js';
import { testEnvironment } from '../../machine/fixtures.js';

function session(machine = 'pc', release = '7.2', environment = testEnvironment()) {
  const { machine: m } = Machine.start(
    {
      release,
      arch: 'x86_64',
      machine,
      memory: '1G,maxmem=4G',
      items: [{ kind: 'object', type: 'memory-backend-ram', id: 'm0', props: [{ name: 'size', value: '1G' }] }],
    },
    environment,
  );
  const sent: QmpMessage[] = [];
  let quit = false;
  const s = new QmpSession(
    {
      machine: m,
      version: { major: 7, minor: 2, micro: 0 },
      settle: () => void m.scheduler.runUntilIdle(),
      requestQuit: () => (quit = true),
      quitRequested: () => quit,
    },
    QMP_COMMANDS,
    (msg) => sent.push(msg),
  );
  const exec = (execute: string, args?: Record<string, unknown>, id?: unknown) => {
    sent.length = 0;
    s.handle(JSON.stringify({ execute, ...(args ? { arguments: args } : {}), ...(id === undefined ? {} : { id }) }));
    return [...sent];
  };
  return { s, m, sent, exec, quit: () => quit };
}

const error = (cls: string, desc: string) => ({ error: { class: cls, desc } });

describe('frontends/qmp: session', () => {
  it('greets with the modelled version and requires qmp_capabilities first', () => {
    const { s, exec } = session();
    assert.deepEqual(s.greeting(), { QMP: { version: { qemu: { micro: 0, minor: 2, major: 7 }, package: 'hotmem' }, capabilities: ['oob'] } });
    assert.deepEqual(exec('query-version'), [error('CommandNotFound', "Expecting capabilities negotiation with 'qmp_capabilities'")]);
    assert.deepEqual(exec('qmp_capabilities', undefined, 1), [{ return: {}, id: 1 }]);
    assert.deepEqual(exec('qmp_capabilities'), [error('CommandNotFound', 'Capabilities negotiation is already complete, command ignored')]);
  });

  const MALFORMED: ReadonlyArray<readonly [string, QmpMessage]> = [
    ['[1]', error('GenericError', 'QMP input must be a JSON object')],
    ['{"arguments": {}}', error('GenericError', "QMP input lacks member 'execute'")],
    ['{"execute": 1}', error('GenericError', "QMP input member 'execute' must be a string")],
    ['{"execute": "quit", "arguments": 1}', error('GenericError', "QMP input member 'arguments' must be an object")],
    ['{"execute": "quit", "frob": 1}', error('GenericError', "QMP input member 'frob' is unexpected")],
    ['{"execute": "frob"}', error('CommandNotFound', 'The command frob has not been found')],
    ['{"execute": "qom-get", "arguments": {"path": "/machine"}}', error('GenericError', "Parameter 'property' is missing")],
    ['{"execute": "qom-get", "arguments": {"path": 1, "property": "type"}}', error('GenericError', "Invalid parameter type for 'path', expected: string")],
    ['{"execute": "qom-list", "arguments": {"path": "/machine", "x": 1}}', error('GenericError', "Parameter 'x' is unexpected")],
    ['{"execute": "qom-get", "arguments": {"path": "/nope", "property": "type"}}', error('DeviceNotFound', "Device '/nope' not found")],
    ['{"execute": "qom-get", "arguments": {"path": "/machine", "property": "frob"}}', error('GenericError', "Property 'pc-i440fx-7.2-machine.frob' not found")],
  ];
  for (const [text, reply] of MALFORMED) {
    it(`answers ${text}`, () => {
      const { s, sent, exec } = session();
      exec('qmp_capabilities');
      sent.length = 0;
      s.handle(text);
      assert.deepEqual(sent, [reply]);
    });
  }

  it('qom-get of a backend without host-nodes answers the empty uint16List, as QEMU does', () => {
    const { exec } = session('pc', '7.2', qemuBinary(new Map([['qemu-version', '7.2']])).environment);
    exec('qmp_capabilities');
    assert.deepEqual(exec('qom-get', { path: '/objects/m0', property: 'host-nodes' }), [{ return: [] }]);
    assert.deepEqual(exec('qom-get', { path: '/objects/m0', property: 'policy' }), [{ return: 'default' }]);
  });

  // Found by test/conformance/qmp-stream.test.ts: QEMU 10.0's StatusInfo has no singlestep.
  for (const [release, expected] of [
    ['8.2', { status: 'prelaunch', singlestep: false, running: false }],
    ['9.0', { status: 'prelaunch', running: false }],
  ] as const) {
    it(`query-status in ${release}: ${Object.keys(expected).join(', ')}`, () => {
      const { exec } = session('pc', release);
      exec('qmp_capabilities');
      assert.deepEqual(exec('query-status'), [{ return: expected }]);
    });
  }

  it('hotplugs a memory device with device_add (7.2 turns JSON numbers into option text) and reports it', () => {
    const { exec } = session();
    exec('qmp_capabilities');
    assert.deepEqual(exec('device_add', { driver: 'test-memdev-pci', id: 'd0', memdev: 'm0', align: 2097152 }), [{ return: {} }]);
    assert.deepEqual(exec('qom-get', { path: 'd0', property: 'memaddr' }), [{ return: 0x100000000 }]);
    assert.deepEqual(exec('query-memory-devices'), [{ return: [{ type: 'test', data: { id: 'd0' } }] }]);
    assert.deepEqual(exec('query-memory-size-summary'), [{ return: { 'base-memory': 1073741824, 'plugged-memory': 1073741824 } }]);
    assert.deepEqual(exec('object-del', { id: 'm0' }), [error('GenericError', "object 'm0' is in use, can not be deleted")]);
  });

  it('refuses device_add on a q35 root bus; on pc, device_del waits for the eject and DEVICE_DELETED follows it', () => {
    const q35 = session('q35');
    q35.exec('qmp_capabilities');
    assert.deepEqual(q35.exec('device_add', { driver: 'test-memdev-pci', id: 'd0', memdev: 'm0' }), [
      error('GenericError', "Bus 'pcie.0' does not support hotplugging"),
    ]);
    const pc = session('pc');
    pc.exec('qmp_capabilities');
    pc.exec('device_add', { driver: 'test-memdev-pci', id: 'd0', memdev: 'm0' });
    assert.deepEqual(pc.exec('device_del', { id: 'd0' }), [{ return: {} }], 'no guest has ejected it');
    assert.deepEqual(pc.exec('device_del', { id: 'd0' }), [error('GenericError', 'Device d0 is already in the process of unplug')]);
    pc.m.ejectDevice(pc.m.model.resolvePath('d0')!);
    const replies = pc.exec('query-memory-devices');
    assert.deepEqual(replies, [
      { return: [] },
      { timestamp: { seconds: 0, microseconds: 0 }, event: 'DEVICE_DELETED', data: { device: 'd0', path: '/machine/peripheral/d0' } },
    ]);
    assert.deepEqual(pc.exec('device_del', { id: 'd0' }), [error('DeviceNotFound', "Device 'd0' not found")]);
  });

  it('adds and deletes objects with object-add/object-del, checking members as QAPI does', () => {
    const { exec } = session();
    exec('qmp_capabilities');
    assert.deepEqual(exec('object-add', { 'qom-type': 'memory-backend-ram', id: 'm1', size: 1073741824 }), [{ return: {} }]);
    assert.deepEqual(exec('qom-get', { path: '/objects/m1', property: 'size' }), [{ return: 1073741824 }]);
    assert.deepEqual(exec('object-add', { 'qom-type': 'memory-backend-ram', id: 'm2', size: 1048576, frob: 1 }), [
      error('GenericError', "Parameter 'frob' is unexpected"),
    ]);
    assert.deepEqual(exec('object-add', { 'qom-type': 'frob', id: 'm2' }), [error('GenericError', "Parameter 'qom-type' does not accept value 'frob'")]);
    assert.deepEqual(exec('object-del', { id: 'm1' }), [{ return: {} }]);
    assert.deepEqual(exec('object-del', { id: 'm1' }), [error('GenericError', "object 'm1' not found")]);
  });

  it('sets properties with qom-set and quits on quit', () => {
    const t = session();
    t.exec('qmp_capabilities');
    t.exec('object-add', { 'qom-type': 'memory-backend-ram', id: 'm1', size: 1073741824 });
    assert.deepEqual(t.exec('qom-set', { path: '/objects/m1', property: 'size', value: 'big' }), [error('GenericError', "Parameter 'size' expects uint64")]);
    // QEMU announces SHUTDOWN while handling quit, before the reply.
    assert.deepEqual(t.exec('quit'), [
      { timestamp: { seconds: 0, microseconds: 0 }, event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' } },
      { return: {} },
    ]);
    assert.equal(t.quit(), true);
  });
});
