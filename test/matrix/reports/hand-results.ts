/**
 * Results built by hand for the report tests: two releases × two guests, one cell of each
 * status plus a second pass, so each report's expected text follows from these lines alone.
 */
import type { MatrixResults } from '../../../src/matrix/results.js';
import { results } from '../fixtures.js';

const GiB = 1024 ** 3;
const timeline = (end: number) => [
  { at: 'start', rss: 0, host: 0 },
  { at: 'steps[0].set', rss: 0, host: 0 },
  { at: 'steps[1].guest', rss: end, host: end + 4096 },
];

export const HAND: MatrixResults = results(
  [
    ['release', ['7.2', '8.0']],
    ['guest', ['5.15', '6.1']],
  ],
  [
    {
      status: 'pass',
      observations: { start: 'ok', 'vm0.plugged': '0', 'guest.errors': 'virtio_mem virtio0: virtio: device refuses features: 3' },
      memory: { end: { rss: 0 } },
      timeline: timeline(0),
    },
    {
      status: 'pass',
      observations: { start: 'ok', 'vm0.plugged': String(GiB), 'guest.errors': 'none' },
      memory: { end: { rss: GiB } },
      timeline: timeline(GiB),
    },
    {
      status: 'fail',
      failures: ["hand.yaml:30:5 (expect[0]): vm0.plugged is '0', expected '1073741824'"],
      observations: { start: 'ok', 'vm0.plugged': '0', 'guest.errors': 'virtio_mem virtio0: virtio: device refuses features: 3' },
      memory: { end: { rss: 0 } },
      timeline: timeline(0),
    },
    { status: 'error', error: "the 'migrate' step is not available in this build of hotmem" },
  ],
);
