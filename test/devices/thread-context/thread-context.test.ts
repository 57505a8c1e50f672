import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { Host } from '../../../src/host/host.js';
import { HOST_PROCESS } from '../../../src/machine/host-process.js';
import { BASE_TYPES, ObjectModel, TypeRegistry, type PropertyInput } from '../../../src/qom/index.js';
import { MEMORY_BACKEND_TYPES } from '../../../devices/memory-backend/index.js';
import { THREAD_CONTEXT_TYPES } from '../../../devices/thread-context/index.js';

/** Two NUMA nodes: CPUs 0-3 on node 0, 8-9 on node 1 (4-7 offline), node 2 without CPUs. */
const NODE_CPUS = [[0, 1, 2, 3], [8, 9], []];

function model(rel: string, host: Host | null = new Host({ nodeCpus: NODE_CPUS })) {
  const m = new ObjectModel(new TypeRegistry().register(...BASE_TYPES, ...MEMORY_BACKEND_TYPES, ...THREAD_CONTEXT_TYPES), {
    release: release(rel),
    target: 'x86_64',
  });
  if (host) m.services.set(HOST_PROCESS, host.spawn({ name: 'qemu' }));
  return m;
}

const opts = (props: ReadonlyArray<readonly [string, string]>) =>
  props.map(([name, text]): { name: string; input: PropertyInput } => ({ name, input: { source: 'text', text, visitor: 'opts' } }));

describe('devices/thread-context', () => {
  // properties in the order given -> QEMU's message, or undefined when the context is created
  // (messages as QEMU 7.2, 10.0 and 11.1 print them)
  const CASES: ReadonlyArray<readonly [ReadonlyArray<readonly [string, string]>, string | undefined]> = [
    [[], undefined],
    [[['cpu-affinity', '0-1']], undefined],
    [[['cpu-affinity', '9']], undefined],
    [[['cpu-affinity', '4-7']], 'Setting CPU affinity failed: Invalid argument'],
    [
      [
        ['cpu-affinity', '5'],
        ['cpu-affinity', '8'],
      ],
      undefined,
    ],
    [[['cpu-affinity', '4095']], 'Setting CPU affinity failed: Invalid argument'],
    [[['node-affinity', '1']], undefined],
    [[['node-affinity', '2']], 'The nodes select no CPUs'],
    [[['node-affinity', '3']], 'The nodes select no CPUs'],
    [
      [
        ['node-affinity', '2'],
        ['node-affinity', '1'],
      ],
      undefined,
    ],
    [
      [
        ['cpu-affinity', '0'],
        ['node-affinity', '0'],
      ],
      'Mixing CPU and node affinity not supported',
    ],
    [
      [
        ['node-affinity', '0'],
        ['cpu-affinity', '0'],
      ],
      'Mixing CPU and node affinity not supported',
    ],
  ];
  for (const [props, message] of CASES) {
    it(`${JSON.stringify(props)}: ${message ?? 'created'}`, () => {
      const m = model('10.0');
      const add = () => m.addObject('thread-context', 'tc1', opts(props));
      if (message === undefined) {
        const { object } = add();
        assert.equal(m.resolvePath('/objects/tc1'), object);
      } else {
        assert.throws(add, { message });
        assert.equal(m.resolvePath('/objects/tc1'), undefined, 'a context that fails is not left under /objects');
      }
    });
  }

  it('reads an affinity back as its uint16 list', () => {
    const { object } = model('11.1').addObject(
      'thread-context',
      'tc1',
      opts([
        ['cpu-affinity', '1-3'],
        ['cpu-affinity', '0'],
      ]),
    );
    assert.deepEqual(object.model.view.properties('thread-context').get('cpu-affinity')?.def.visit?.(object.get('cpu-affinity')), [0, 1, 2, 3]);
  });

  it('is on a modelled host of 2 CPUs when the model has no host process', () => {
    const m = model('7.2', null);
    m.addObject('thread-context', 'a', opts([['cpu-affinity', '1']]));
    assert.throws(() => m.addObject('thread-context', 'b', opts([['cpu-affinity', '2']])), { message: 'Setting CPU affinity failed: Invalid argument' });
  });

  it('reads thread-id as the started thread’s id, a host id after the QEMU process’s; -1 with no thread', () => {
    const host = new Host();
    const m = model('10.0', host);
    const pid = m.services.get(HOST_PROCESS)!.pid;
    const tid = m.addObject('thread-context', 'tc1', []).object.get('thread-id') as number;
    assert.ok(tid > pid, `${tid} > ${pid}`);
    assert.notEqual(m.addObject('thread-context', 'tc2', []).object.get('thread-id'), tid);
    assert.equal(model('10.0', null).addObject('thread-context', 'tc1', []).object.get('thread-id'), -1);
    assert.throws(() => m.addObject('thread-context', 'tc3', opts([['thread-id', '3']])), { message: "Property 'thread-context.thread-id' is not writable" });
  });

  it('does not exist before 7.2', () => {
    assert.equal(model('7.1').view.exists('thread-context'), false);
    assert.equal(model('7.2').view.exists('thread-context'), true);
  });

  // text -> the options visitor's message at the -object option, or undefined
  const SYNTAX: ReadonlyArray<readonly [string, string | undefined]> = [
    ['0', undefined],
    ['0-65535', undefined],
    ['1:3-4', undefined],
    ['x', "Parameter 'cpu-affinity' expects a uint64 value or range"],
    ['1-0', "Parameter 'cpu-affinity' expects a uint64 value or range"],
    ['-1', "Parameter 'cpu-affinity' expects a uint64 value or range"],
    ['65536', "Parameter 'null' expects uint16_t"],
    ['0-70000', "Parameter 'null' expects uint16_t"],
  ];
  for (const [text, message] of SYNTAX) {
    it(`cpu-affinity=${text} as -object parses it: ${message ?? 'accepted'}`, () => {
      const check = () => model('10.0').view.properties('thread-context').get('cpu-affinity')?.def.optionSyntax?.(text);
      if (message === undefined) assert.doesNotThrow(check);
      else assert.throws(check, { message });
    });
  }

  it('is what a memory backend prealloc-context links to', () => {
    const m = model('10.0');
    m.addObject('thread-context', 'tc1', opts([['node-affinity', '0']]));
    m.addObject('memory-backend-ram', 'm0', opts([['size', '1M']]));
    m.addObject(
      'memory-backend-ram',
      'm',
      opts([
        ['size', '1M'],
        ['prealloc-threads', '4'],
        ['prealloc-context', 'tc1'],
      ]),
    );
    assert.throws(
      () =>
        m.addObject(
          'memory-backend-ram',
          'bad',
          opts([
            ['size', '1M'],
            ['prealloc-context', 'm0'],
          ]),
        ),
      {
        message: "Invalid parameter type for 'prealloc-context', expected: thread-context",
      },
    );
  });
});
