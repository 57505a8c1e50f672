import assert from 'node:assert/strict';
import { htmlReport } from '../../../src/matrix/reports/html.js';
import { HAND } from './hand-results.js';

/** The <svg> elements of a page, in order. */
const svgs = (html: string): string[] => [...html.matchAll(/<svg xmlns[\s\S]*?<\/svg>/g)].map((m) => m[0]);

describe('matrix/reports/html', () => {
  const html = htmlReport(HAND, { changed: new Set([1]) });

  it('is one self-contained page: inline CSS and SVG, no script, nothing to fetch', () => {
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^\s"'<>]+/g))], ['http://www.w3.org/2000/svg']);
  });

  it('draws the matrix as a heat map: a square per cell, coloured by behaviour, marked by outcome, named in its tooltip', () => {
    const heat = svgs(html).find((s) => s.includes('aria-label="cells by behaviour"'))!;
    const squares = [...heat.matchAll(/<rect [^>]*class="([^"]*)"><title>([^<]*)<\/title>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(squares, [
      ['b0', '#0 release=7.2 guest=5.15\npass, behaviour A'],
      ['b1 chg', '#1 release=7.2 guest=6.1\npass (changed), behaviour B'],
      ['b0 fail', "#2 release=8.0 guest=5.15\nfail, behaviour A\nhand.yaml:30:5 (expect[0]): vm0.plugged is '0', expected '1073741824'"],
      ['b2 err', "#3 release=8.0 guest=6.1\nerror, behaviour C\nthe 'migrate' step is not available in this build of hotmem"],
    ]);
    assert.match(heat, /<text [^>]*>7\.2<\/text>/);
    assert.match(heat, /<text [^>]*>6\.1<\/text>/);
  });

  it('draws a heat map for each memory figure that differs between cells, on a scale from its least to its most', () => {
    assert.match(
      html,
      /<h2>Host memory: rss at end<\/h2>\n<p>From <svg[^>]*><rect[^>]*class="m0"\/><\/svg> 0 B to <svg[^>]*><rect[^>]*class="m8"\/><\/svg> 1 GiB\.<\/p>/,
    );
    const rss = svgs(html).find((s) => s.includes('aria-label="rss at end"'))!;
    assert.deepEqual(
      [...rss.matchAll(/class="(m\d)[^"]*"><title>#(\d)/g)].map((m) => `${String(m[2])}:${String(m[1])}`),
      ['0:m0', '1:m8', '2:m0'],
    );
  });

  it('plots host memory over the scenario, one line per distinct curve with how many cells follow it', () => {
    const rss = svgs(html).find((s) => s.includes('aria-label="rss over the scenario"'))!;
    assert.equal((rss.match(/<polyline /g) ?? []).length, 2);
    assert.match(rss, />2 cells, e\.g\. release=7\.2 guest=5\.15</);
    assert.match(rss, />1 cell, e\.g\. release=7\.2 guest=6\.1</);
    assert.match(rss, />steps\[1\]\.guest</);
  });

  it('lists failures and errors with their reasons, and escapes what cells report', () => {
    assert.match(html, /<h2>Failures and errors \(2\)<\/h2>/);
    const hostile = htmlReport({ ...HAND, cells: HAND.cells.map((c) => (c.status === 'fail' ? { ...c, failures: ['<script>alert(1)</script>'] } : c)) });
    assert.ok(hostile.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.doesNotMatch(hostile, /<script/);
  });
});
