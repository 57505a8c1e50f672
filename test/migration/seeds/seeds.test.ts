import assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/core/units.js';
import type { MigrationOutcome } from '../../../src/migration/outcome.js';
import { SEEDS, type SeedRun } from '../../../src/migration/seeds/index.js';
import { contentOf, PAGE } from '../fixtures.js';

/** Per seed and variant, the figures the story turns on: RSS of both QEMUs after the migration. */
/** The balloon seed: both hosts spend the whole 100 GiB guest, or only the guest's boot footprint. */
const balloonFigures =
  (spends: 'all' | 'footprint') =>
  ({ source, destination }: SeedRun) => {
    for (const m of [source, destination]) {
      const rss = m.process.status().vmRss;
      if (spends === 'all') assert.equal(rss, 100 * GiB, 'every page precopy read or received became a real page');
      else assert.ok(rss < 2 * GiB, `only the guest's own memory stays resident (${rss / GiB} GiB)`);
    }
  };

const FIGURES: Readonly<Record<string, Readonly<Record<string, (run: SeedRun) => void>>>> = {
  'balloon-s390x': {
    'linux-4.9': balloonFigures('footprint'),
    'linux-4.14': balloonFigures('all'),
    'linux-6.9': balloonFigures('all'),
    'linux-6.10': balloonFigures('footprint'),
  },
  'postcopy-storage-keys': {
    'linux-4.9': ({ outcome, destination }) => {
      const hung = outcome as Extract<MigrationOutcome, { kind: 'hung' }>;
      assert.deepEqual([hung.page.block, hung.page.offset, hung.page.waiters], ['s390.ram', 768 * MiB, ['vcpu']]);
      assert.equal(hung.page.address, destination.process.mappings[0]!.start + 768 * MiB);
      assert.equal(hung.kernel, 'linux-4.9');
      assert.match(hung.era, /skeys-zap.*fa41ba0d \(4\.14\)/);
      assert.deepEqual(hung.destination.statuses, ['active', 'postcopy-active'], 'no completion: the guest waits');
      assert.match(hung.actions[1]!.detail, /1 zeropage PTEs zapped/);
    },
    'linux-4.14': ({ source, destination }) => {
      assert.equal(source.process.status().rssAnon, 1 * GiB, 'the source reads allocate: no zeropage for KVM');
      assert.equal(destination.process.status().rssAnon, 256 * MiB, 'UFFDIO_ZEROPAGE still maps the zeropage before 6.10');
    },
    'linux-6.10': ({ source, destination }) => {
      assert.equal(source.process.status().rssAnon, 256 * MiB, 'the zeropage again, until keys');
      assert.equal(destination.process.status().rssAnon, 1 * GiB, 'once keys are on, zero pages are placed as zeroed pages');
    },
  },
  'postcopy-cmma': {
    'linux-4.9': ({ outcome }) => {
      const hung = outcome as Extract<MigrationOutcome, { kind: 'hung' }>;
      assert.deepEqual([hung.page.offset, hung.kernel], [900 * MiB, 'linux-4.9']);
      assert.match(hung.era, /bce73e48 \(4\.18\)/);
      assert.match(hung.actions.find((a) => a.action === 'host-reclaim')!.detail, /dropped 1 CMMA-unused pages/);
    },
    'linux-4.19': ({ outcome, destination }) => {
      assert.match(outcome.actions.find((a) => a.action === 'host-reclaim')!.detail, /dropped 0 CMMA-unused pages/);
      assert.equal(contentOf(destination, 's390.ram')[(900 * MiB) / PAGE], 0xbeef, "the guest's last write is there");
    },
  },
  'x86-memfd-vs-anon': {
    'memory-backend-ram': ({ source, destination }) => {
      assert.equal(source.process.status().vmRss, 1 * GiB);
      assert.equal(destination.process.status().vmRss, 1 * GiB);
    },
    'memory-backend-memfd': ({ source, destination }) => {
      assert.equal(source.process.status().rssShmem, 8 * GiB);
      assert.equal(destination.process.status().rssShmem, 8 * GiB);
    },
  },
  'virtio-mem-unplugged-inaccessible': {
    'memfd, pc-q35-7.2 (on)': ({ outcome, source, destination }) => {
      assert.equal(source.model.resolvePath('vm0')!.get('unplugged-inaccessible'), 'on');
      assert.equal(source.process.status().rssShmem, 1 * GiB);
      assert.equal(destination.process.status().rssShmem, 1 * GiB);
      assert.equal(outcome.stats.discardedPagesSkipped, (7 * GiB) / PAGE);
    },
    'memfd, pc-q35-6.2 (off)': ({ outcome, source, destination }) => {
      assert.equal(source.model.resolvePath('vm0')!.get('unplugged-inaccessible'), 'off');
      assert.equal(source.process.status().rssShmem, 8 * GiB, 'the dump allocated every unplugged page it read');
      assert.equal(destination.process.status().rssShmem, 1 * GiB, 'migration never sends unplugged memory');
      assert.equal(outcome.stats.discardedPagesSkipped, (7 * GiB) / PAGE);
    },
    'ram, pc-q35-6.2 (off)': ({ source, destination }) => {
      assert.equal(source.process.status().vmRss, 512 * MiB, 'unplugged anonymous memory reads as the zeropage');
      assert.equal(destination.process.status().vmRss, 512 * MiB);
    },
  },
};

describe('migration/seeds: each story on each era ends as its documents say', () => {
  for (const seed of SEEDS) {
    describe(`${seed.name}: ${seed.story}`, () => {
      for (const variant of seed.variants) {
        it(`${variant.name} → ${variant.expected.kind}${variant.expected.kind === 'hung' ? ` (${variant.expected.cause})` : ''}: ${variant.because}`, () => {
          const run = seed.run(variant.name);
          const { outcome } = run;
          assert.equal(outcome.kind, variant.expected.kind, outcome.kind === 'failed' ? outcome.message : '');
          if (variant.expected.kind === 'hung' && outcome.kind === 'hung') assert.equal(outcome.cause, variant.expected.cause);
          if (variant.expected.kind === 'failed' && outcome.kind === 'failed') assert.equal(outcome.message, variant.expected.message);
          const figures = FIGURES[seed.name]?.[variant.name];
          assert.ok(figures, 'every variant has its figures checked');
          figures(run);
        });
      }
    });
  }

  it('every seed and variant is covered by the figures table', () => {
    assert.deepEqual(
      SEEDS.flatMap((s) => s.variants.map((v) => `${s.name}/${v.name}`)),
      Object.entries(FIGURES).flatMap(([s, vs]) => Object.keys(vs).map((v) => `${s}/${v}`)),
    );
  });
});
