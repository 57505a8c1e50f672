/**
 * Matrix test fixtures: small matrix files that run in milliseconds, and results built by hand
 * for report and diff tests, so their expected output follows from the input alone.
 */
import { loadCompatData } from '../../src/machine/compat-data/load.js';
import type { CompatData } from '../../src/machine/compat-data/compat-data.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { RESULTS_FORMAT, summarize, type CellResult, type MatrixResults } from '../../src/matrix/results.js';
import type { Matrix } from '../../src/matrix/spec.js';

let data: CompatData | undefined;
export const compatData = (): CompatData => (data ??= loadCompatData());

export const matrix = (text: string, file = 'test.yaml'): Matrix => parseMatrix(text, file, compatData());

/**
 * 24 cells: three releases × q35 × two backends × on/off × two guests, a virtio-mem device
 * asked for 256 MiB, and a rule that a 5.15 guest with `on` plugs nothing (Linux accepts
 * UNPLUGGED_INACCESSIBLE from 5.16).
 */
export const SMALL = `description: A small virtio-mem matrix.
dimensions:
  release: { releases: "7.2..8.1" }
  machine: { machine-types: [q35], qemu: "\${release}", arch: x86_64 }
  backend: [memory-backend-ram, memory-backend-memfd]
  ui: ["on", "off"]
  guest: ["5.15", "6.1"]
scenario:
  host: { arch: x86_64, kernel: linux-6.1, qemu: "\${release}" }
  machine: { type: "\${machine}", accel: kvm, memory: 256MiB, maxmem: 1280MiB }
  objects:
    - { type: "\${backend}", id: mem0, size: 1GiB }
  devices:
    - { driver: virtio-mem-pci, id: vm0, memdev: mem0, unplugged-inaccessible: "\${ui}" }
  guest: { kernel: "\${guest}" }
  steps:
    - set: { path: vm0, property: requested-size, value: 256MiB }
    - guest: { read-all: {} }
record:
  properties: [vm0.unplugged-inaccessible]
  features: [vm0]
  guest: true
  memory: { measures: [rss, page-tables], at: [start, "steps[0]", end] }
expect:
  - when: ui=on, guest=5.15
    then: { vm0.plugged: 0 }
`;

type CellSpec = Partial<Pick<CellResult, 'observations' | 'memory' | 'timeline'>> &
  ({ status: 'pass' } | { status: 'fail'; failures: string[] } | { status: 'error'; error: string });

/** Results of a matrix with the given dimensions; cells in expansion order with their specs. */
export function results(dimensions: ReadonlyArray<readonly [string, readonly string[]]>, specs: readonly CellSpec[], file = 'hand.yaml'): MatrixResults {
  const coordinates: Array<Record<string, string>> = [{}];
  for (const [name, values] of dimensions) {
    const next: Array<Record<string, string>> = [];
    for (const c of coordinates) for (const v of values) next.push({ ...c, [name]: v });
    coordinates.splice(0, coordinates.length, ...next);
  }
  if (coordinates.length !== specs.length) throw new Error(`fixture: ${coordinates.length} cells but ${specs.length} specs`);
  const cells = specs.map((s, index): CellResult => ({ index, coordinates: coordinates[index]!, observations: {}, memory: {}, timeline: [], ...s }));
  return {
    format: RESULTS_FORMAT,
    hotmem: '0.0.0-test',
    matrix: { file, digest: 'sha256:test', dimensions: dimensions.map(([name, values]) => ({ name, values })), cells: cells.length },
    selection: {},
    summary: summarize(cells),
    cells,
  };
}
