/**
 * The HTML report in a real browser: Debian's Chromium, headless, renders it; the DOM it builds
 * holds the heat map and the charts, and the screenshot shows the heat map's colours. Skipped,
 * saying so, where Chromium is not installed (apt-get install chromium).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htmlReport } from '../../../src/matrix/reports/html.js';
import { runMatrix } from '../../../src/matrix/runner.js';
import { CATEGORY_COLOURS } from '../../../src/matrix/charts/svg.js';
import { behaviours } from '../../../src/matrix/summary.js';
import { compatData, matrix, SMALL } from '../fixtures.js';
import { decodePng } from './png.js';

function chromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {
      // not installed under this name
    }
  }
  return undefined;
}

describe('matrix/reports/html in headless Chromium', function () {
  this.timeout(60_000);
  const browser = chromium();
  let dir: string;
  let page: string;
  /** Cells of the first behaviour, whose colour the screenshot must show. */
  let firstBehaviourCells = 0;

  before(async function () {
    if (!browser) {
      console.log('      skipped: Chromium is not installed (apt-get install chromium)');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'hotmem-html-'));
    page = join(dir, 'report.html');
    const results = await runMatrix(matrix(SMALL), { jobs: 1, data: compatData() });
    firstBehaviourCells = behaviours(results.cells)[0]!.cells.length;
    writeFileSync(page, htmlReport(results));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]): string =>
    execFileSync(browser!, ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(dir, 'profile')}`, ...args, `file://${page}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 50_000,
    });

  it('renders the page: the DOM holds the heat map with a square per cell, the memory heat maps and the timelines', () => {
    const dom = run('--dump-dom');
    assert.match(dom, /<h1>test\.yaml<\/h1>/);
    const heat = /<svg[^>]*aria-label="cells by behaviour"[\s\S]*?<\/svg>/.exec(dom)?.[0] ?? '';
    assert.equal((heat.match(/<rect /g) ?? []).length, 24);
    assert.match(dom, /aria-label="rss at end"/);
    assert.match(dom, /aria-label="rss over the scenario"/);
  });

  it('paints it: the screenshot shows the heat map in the colour of the first behaviour', () => {
    const shot = join(dir, 'shot.png');
    run(`--screenshot=${shot}`, '--window-size=1000,900', '--hide-scrollbars');
    const png = decodePng(readFileSync(shot));
    assert.deepEqual([png.width, png.height], [1000, 900]);
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(CATEGORY_COLOURS[0].slice(i, i + 2), 16));
    let painted = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const p = i * png.channels;
      if (Math.abs(png.pixels[p]! - r!) <= 2 && Math.abs(png.pixels[p + 1]! - g!) <= 2 && Math.abs(png.pixels[p + 2]! - b!) <= 2) painted++;
    }
    // Each of behaviour A's squares (13 × 11 pixels, outlined) paints at least its 11 × 9 inside.
    assert.ok(firstBehaviourCells > 1);
    assert.ok(painted >= firstBehaviourCells * 11 * 9, `${painted} pixels of ${CATEGORY_COLOURS[0]} for ${firstBehaviourCells} squares`);
  });
});
