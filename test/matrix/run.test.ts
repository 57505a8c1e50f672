import assert from 'node:assert/strict';
import { RUN_ENVIRONMENT } from '../../src/cli/commands/run.js';
import { DefinitionError } from '../../src/frontends/yaml/errors.js';
import { MatrixEnvironment } from '../../src/matrix/environment.js';
import { parseFilter } from '../../src/matrix/filter.js';
import { mergeResults } from '../../src/matrix/merge.js';
import { jsonReport } from '../../src/matrix/reports/json.js';
import type { CellResult, MatrixResults } from '../../src/matrix/results.js';
import { defaultJobs, runMatrix, type RunOptions } from '../../src/matrix/runner.js';
import { compatData, matrix, SMALL } from './fixtures.js';

const run = (text: string, options: RunOptions = {}): Promise<MatrixResults> => runMatrix(matrix(text), { jobs: 1, data: compatData(), ...options });
const cell = (r: MatrixResults, coordinates: Readonly<Record<string, string>>): CellResult =>
  r.cells.find((c) => Object.entries(coordinates).every(([k, v]) => c.coordinates[k] === v))!;

describe('matrix/runner: running cells', function () {
  this.timeout(60_000);
  let small: MatrixResults;
  before(async () => {
    small = await run(SMALL);
  });

  it('runs every cell and holds it to the rules: a 5.15 guest cannot use a device that insists on UNPLUGGED_INACCESSIBLE', () => {
    assert.equal(small.cells.length, 24);
    assert.deepEqual(small.summary, { pass: 24, fail: 0, error: 0 });
    const legacy = cell(small, { release: '7.2', backend: 'memory-backend-ram', ui: 'on', guest: '5.15' });
    assert.equal(legacy.observations['vm0.plugged'], '0');
    assert.match(legacy.observations['vm0.status']!, /FAILED/);
    assert.doesNotMatch(legacy.observations['vm0.negotiated']!, /UNPLUGGED_INACCESSIBLE/);
    assert.match(
      legacy.observations['guest.why']!,
      /^vm0: the Linux 5\.15 guest refused the device .* because unplugged-inaccessible=on \(set explicitly on the device\), and Linux accepts it from 5\.16 on; unplugged-inaccessible=off or a guest from 5\.16 on would let it plug\.$/,
    );
    const modern = cell(small, { release: '7.2', backend: 'memory-backend-ram', ui: 'on', guest: '6.1' });
    assert.equal(modern.observations['vm0.plugged'], String(256 * 1024 ** 2));
    assert.match(modern.observations['vm0.negotiated']!, /VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE/);
    assert.match(modern.observations['vm0.status']!, /DRIVER_OK/);
    assert.equal(modern.observations['guest.why'], 'none');
  });

  it("records effective properties right after start-up, and QEMU's warning for off without a zeropage", () => {
    const off = cell(small, { release: '8.0', backend: 'memory-backend-memfd', ui: 'off', guest: '6.1' });
    assert.equal(off.observations['vm0.unplugged-inaccessible'], 'off');
    assert.equal(off.observations['warnings'], "'unplugged-inaccessible' property set to 'off' with a memdev that does not support the shared zeropage.");
    assert.equal(cell(small, { release: '8.0', backend: 'memory-backend-ram', ui: 'off', guest: '6.1' }).observations['warnings'], 'none');
  });

  it('records memory at the named points (a step point has rss only of rss and page-tables) and the timeline after every step', () => {
    const c = cell(small, { release: '8.1', backend: 'memory-backend-memfd', ui: 'on', guest: '6.1' });
    assert.deepEqual(Object.keys(c.memory), ['start', 'steps[0]', 'end']);
    assert.deepEqual(Object.keys(c.memory['start']!), ['rss', 'page-tables']);
    assert.deepEqual(Object.keys(c.memory['steps[0]']!), ['rss']);
    assert.deepEqual(
      c.timeline.map((p) => p.at),
      ['start', 'steps[0].set', 'steps[1].guest'],
    );
    assert.equal(c.memory['end']!['rss'], c.timeline.at(-1)!.rss);
    // Reading 256 MiB plugged into a memfd allocates it: a memfd has no shared zeropage.
    assert.ok(c.memory['end']!['rss'] >= 256 * 1024 ** 2);
  });

  it('gives the same results, byte for byte, on every run and with any number of jobs', async () => {
    const again = await run(SMALL);
    assert.equal(jsonReport(again), jsonReport(small));
    const parallel = await run(SMALL, { jobs: 2 });
    assert.equal(jsonReport(parallel), jsonReport(small));
  });

  it('runs the cells a filter selects; merging every shard gives the whole run', async () => {
    const parsed = parseFilter('guest=6.1');
    assert.ok(parsed.ok);
    const filter = parsed.filter;
    const whole = await run(SMALL, { filter });
    assert.equal(whole.cells.length, 12);
    assert.deepEqual(whole.selection, { filter: 'guest=6.1' });
    const shards = await Promise.all([1, 2, 3].map((index) => run(SMALL, { filter, shard: { index, count: 3 } })));
    assert.deepEqual(
      shards.map((s) => s.cells.length),
      [4, 4, 4],
    );
    assert.deepEqual(shards[1]!.selection, { filter: 'guest=6.1', shards: { of: 3, indexes: [2] } });
    const merged = mergeResults([2, 0, 1].map((i) => ({ file: `shard${i + 1}.json`, results: shards[i]! })));
    assert.equal(jsonReport(merged), jsonReport(whole));
    const partial = mergeResults([0, 2].map((i) => ({ file: `shard${i + 1}.json`, results: shards[i]! })));
    assert.deepEqual(partial.selection.shards, { of: 3, indexes: [1, 3] });
  });

  it('reports progress as cells complete', async () => {
    const seen: Array<[number, number]> = [];
    const parsed = parseFilter('release=7.2');
    assert.ok(parsed.ok);
    await run(SMALL, { filter: parsed.filter, onProgress: (done, total) => seen.push([done, total]) });
    assert.deepEqual(
      seen,
      Array.from({ length: 8 }, (_, i) => [i + 1, 8]),
    );
  });
});

describe('matrix/cell: how a cell passes, fails or errs', function () {
  this.timeout(30_000);
  const ONE = (extra: string, guest = '["6.1"]', release = '"7.2"') => `dimensions:
  release: { releases: ${release} }
  guest: ${guest}
scenario:
  host: { arch: x86_64, kernel: linux-6.1, qemu: "\${release}" }
  machine: { type: pc-q35-7.2, memory: 256MiB, maxmem: 1280MiB }
  objects: [{ type: memory-backend-ram, id: mem0, size: 1GiB }]
  devices: [{ driver: virtio-mem-pci, id: vm0, memdev: mem0, requested-size: 128MiB }]
  guest: { kernel: "\${guest}" }
record: { guest: true }
${extra}`;

  it('fails a cell whose rule does not hold, saying where the rule is', async () => {
    const r = await run(ONE('expect:\n  - then: { vm0.plugged: 1GiB }\n'));
    const c = r.cells[0]!;
    assert.equal(c.status, 'fail');
    assert.deepEqual(c.failures, ["test.yaml:12:5 (expect[0]): vm0.plugged is '134217728', expected '1073741824'"]);
  });

  it("fills placeholders in a rule's expected text with each cell's values", async () => {
    const text = `dimensions:
  bytes: [134217728, 268435456]
scenario:
  host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }
  machine: { type: pc-q35-7.2, memory: 256MiB, maxmem: 1280MiB }
  objects: [{ type: memory-backend-ram, id: mem0, size: 1GiB }]
  devices: [{ driver: virtio-mem-pci, id: vm0, memdev: mem0 }]
  steps:
    - set: { path: vm0, property: requested-size, value: "\${bytes}" }
expect:
  - then: { "steps[0].set": "vm0.requested-size = \${bytes}" }
  - when: bytes=134217728
    then: { "steps[0].set": { matches: "*= \${bytes}0" } }
`;
    const r = await run(text);
    assert.deepEqual(
      r.cells.map((c) => c.status),
      ['fail', 'pass'],
    );
    const c = r.cells[0]!;
    assert.ok(c.status === 'fail');
    assert.deepEqual(c.failures, ["test.yaml:12:5 (expect[1]): steps[0].set is 'vm0.requested-size = 134217728', expected to match '*= 1342177280'"]);
  });

  it('fails a cell that does not start, unless a rule says what start must read', async () => {
    const text = ONE('', '["6.1"]', '"7.2..8.0"').replace('type: pc-q35-7.2', 'type: pc-q35-8.0');
    const unexpected = await run(text);
    assert.deepEqual(
      unexpected.cells.map((c) => c.status),
      ['fail', 'pass'],
    );
    assert.equal(unexpected.cells[0]!.observations['start'], 'unsupported machine type\nUse -machine help to list supported machines');
    const judged = await run(
      `${text}expect:\n  - when: release=7.2\n    then: { start: "unsupported machine type\\nUse -machine help to list supported machines" }\n`,
    );
    assert.deepEqual(
      judged.cells.map((c) => c.status),
      ['pass', 'pass'],
    );
  });

  it('errs, with the position, where a value makes the cell an invalid definition', async () => {
    const r = await run(ONE('', '["6.1", "six"]'));
    assert.deepEqual(
      r.cells.map((c) => c.status),
      ['pass', 'error'],
    );
    const c = r.cells[1]!;
    assert.ok(c.status === 'error');
    assert.equal(c.error, `test.yaml:9:20: scenario.guest.kernel must be a Linux version in quotes, such as "6.1", not 'six'`);
  });

  it('stops before running anything when the first cell is not a valid definition', async () => {
    await assert.rejects(run(ONE('', '["six"]')), (e: unknown) => e instanceof DefinitionError && /test\.yaml:9:20/.test(e.message));
  });

  it('errs on a step this build has no runner for, as hotmem run words it', async () => {
    const text = ONE('').replace('guest: { kernel: "${guest}" }', 'guest: { kernel: "${guest}" }\n  steps: [{ balloon: { target: 128MiB } }]');
    const { extraSteps: _none, ...withoutExtraSteps } = RUN_ENVIRONMENT;
    const r = await run(text, { environment: new MatrixEnvironment(withoutExtraSteps) });
    const c = r.cells[0]!;
    assert.ok(c.status === 'error');
    assert.equal(c.error, "the 'balloon' step is not available in this build of hotmem");
  });
});

describe('matrix/runner: default jobs', () => {
  // selected cells, cores -> worker threads (1: the run stays in this thread)
  const CASES: ReadonlyArray<readonly [number, number, number]> = [
    [3, 2, 1],
    [255, 2, 1],
    [511, 2, 1],
    [512, 2, 2],
    [100_000, 2, 2],
    [100_000, 1, 1],
    [1_000, 8, 3],
  ];
  for (const [cells, cores, jobs] of CASES) {
    it(`${cells} cells on ${cores} cores: ${jobs} job(s)`, () => assert.equal(defaultJobs(cells, cores), jobs));
  }

  it('a run without --jobs says how many it used', async () => {
    const seen: { cells: number; jobs: number }[] = [];
    await runMatrix(matrix(SMALL), { data: compatData(), shard: { index: 1, count: 8 }, onStart: (r) => seen.push({ ...r }) });
    assert.deepEqual(seen, [{ cells: 3, jobs: 1 }]);
  });
});
