/**
 * compat/migration.yaml: it passes its schema, its windows hold together, the loader refuses the
 * mistakes it exists to catch, and each release answers what that release's QEMU source says
 * (capabilities in enum order, parameters with defaults and checks, query-migrate's RAM keys).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isHotmemError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/package-root.js';
import { release } from '../../src/core/release.js';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { compileSchemas } from '../../src/machine/compat-data/read-documents.js';
import {
  loadMigrationQapi,
  MigrationQapiData,
  migrationCapabilities,
  migrationParameterChecks,
  migrationParameters,
  migrationStatsKeys,
  readMigrationDocument,
  type MigrationDocument,
  type MigrationParameterSpec,
  type ParameterCheck,
} from '../../src/migration/qapi-data.js';

const compatDir = join(packageRoot(), 'compat');
const RELEASES = loadCompatData()
  .releases()
  .map((r) => r.version);
const data = loadMigrationQapi();

const param = (version: string, name: string): MigrationParameterSpec => {
  const found = migrationParameters(release(version)).find((p) => p.name === name);
  assert.ok(found, `QEMU ${version} has no migration parameter ${name}`);
  return found;
};
const names = (list: readonly { readonly name: string }[]): string[] => list.map((x) => x.name);
const has = (version: string, name: string): boolean => migrationParameters(release(version)).some((p) => p.name === name);
const messageOf = (check: ParameterCheck | undefined): string | undefined => (check && 'message' in check ? check.message : undefined);

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- each case breaks a deep copy of the document at an arbitrary path; typing every path would restate the schema */
describe('migration/qapi-data: schema', () => {
  const validate = compileSchemas(compatDir).migration;
  const doc = parse(readFileSync(join(compatDir, 'migration.yaml'), 'utf8')) as Record<string, any>;
  /** The document with one change made to a deep copy. */
  const changed = (change: (d: any) => void): unknown => {
    const copy = structuredClone(doc);
    change(copy);
    return copy;
  };
  const paramDoc = (d: any, name: string): any => d.parameters.members.find((p: any) => p.name === name);
  const checkDoc = (d: any, name: string): any => d.checks.members.find((c: any) => c.parameters[0] === name);

  it('compat/migration.yaml passes the migration schema', () => {
    assert.ok(validate(doc), JSON.stringify(validate.errors));
  });

  const rejected: readonly (readonly [string, (d: any) => void])[] = [
    ['an unknown parameter key', (d) => (paramDoc(d, 'downtime-limit').unit = 'ms')],
    ['a parameter reported always without defaults', (d) => delete paramDoc(d, 'downtime-limit').defaults],
    ['a parameter reported when set with a default', (d) => (paramDoc(d, 'block-bitmap-mapping').defaults = [{ value: [] }])],
    ['a release with a micro', (d) => (paramDoc(d, 'mode').since = '8.2.0')],
    ['a type QAPI does not have', (d) => (paramDoc(d, 'downtime-limit').type = 'uint16')],
    ['a negative default', (d) => (paramDoc(d, 'downtime-limit').defaults = [{ value: -1 }])],
    ['a range check without bounds', (d) => delete checkDoc(d, 'downtime-limit').max],
    ['a range check without messages', (d) => delete checkDoc(d, 'downtime-limit').messages],
    ['an unknown check kind', (d) => (checkDoc(d, 'downtime-limit').kind = 'regex')],
    ['a capability conflict without its capability', (d) => delete checkDoc(d, 'multifd-compression').capability],
    ['a type error message without {name}', (d) => (d.typeErrors.members[0].message = 'expects uint8_t')],
    ['a stats key of an unknown type', (d) => (d.stats.members[0].type = 'size')],
    ['a feature QAPI does not have', (d) => (d.capabilities.members[0].features = [{ name: 'experimental' }])],
    ['a section without its sources', (d) => delete d.stats.sources],
  ];
  for (const [what, change] of rejected) {
    it(`rejects ${what}`, () => {
      assert.equal(validate(changed(change)), false);
    });
  }
});

describe('migration/qapi-data: loading', () => {
  const document = readMigrationDocument(compatDir);
  const broken = (change: (d: any) => void): MigrationDocument => {
    const copy = structuredClone(document) as { file: string; doc: any };
    change(copy.doc);
    return copy;
  };
  const paramDoc = (d: any, name: string): any => d.parameters.members.find((p: any) => p.name === name);
  const checkDoc = (d: any, name: string): any => d.checks.members.find((c: any) => c.parameters[0] === name);

  it('reads the data once per package root', () => {
    assert.equal(loadMigrationQapi(), loadMigrationQapi(packageRoot()));
  });

  it('accepts the document as it is', () => {
    assert.doesNotThrow(() => new MigrationQapiData(document, RELEASES));
  });

  const cases: readonly (readonly [string, (d: any) => void, RegExp])[] = [
    ['a release that is not modelled', (d) => (paramDoc(d, 'mode').since = '8.3'), /parameter mode: 8\.3 is not a modelled release/],
    ['an empty window', (d) => (paramDoc(d, 'mode').until = '8.2'), /parameter mode: empty window 8\.2 to 8\.2/],
    ['two capabilities of one name', (d) => d.capabilities.members.push({ name: 'xbzrle' }), /capability xbzrle appears twice/],
    ['two parameters of one name', (d) => d.parameters.members.push(structuredClone(paramDoc(d, 'mode'))), /parameter mode appears twice/],
    [
      'overlapping defaults',
      (d) => paramDoc(d, 'max-bandwidth').defaults.push({ since: '9.0', value: 1 }),
      /parameter max-bandwidth defaults: 2 entries hold in 9\.0/,
    ],
    ['a default that holds in no release', (d) => (paramDoc(d, 'max-bandwidth').defaults[0].until = '5.1'), /max-bandwidth defaults\[0\]: holds in no release/],
    ['a release without a default', (d) => paramDoc(d, 'max-bandwidth').defaults.pop(), /parameter max-bandwidth defaults: no entry holds in 5\.2/],
    ['a gap in the defaults', (d) => (paramDoc(d, 'max-bandwidth').defaults[1].since = '6.0'), /parameter max-bandwidth defaults: no entry holds in 5\.2/],
    [
      'a default of the wrong type',
      (d) => (paramDoc(d, 'downtime-limit').defaults[0].value = '300'),
      /parameter downtime-limit defaults\[0\]: "300" is not a value of its type/,
    ],
    [
      'a default its enum does not have yet',
      (d) => (paramDoc(d, 'mode').defaults[0].value = 'cpr-transfer'),
      /parameter mode defaults\[0\]: "cpr-transfer" is not a value/,
    ],
    [
      'a default outside its parameter',
      (d) => (paramDoc(d, 'mode').defaults[0].since = '8.1'),
      /parameter mode defaults\[0\]: reaches 8\.1, outside its owner's window/,
    ],
    ['a feature outside its member', (d) => (paramDoc(d, 'compress-level').features[0].until = '10.0'), /compress-level features\[0\]: reaches 9\.1/],
    [
      'null handling on a member that cannot be null',
      (d) => (paramDoc(d, 'mode').onNull = [{ effect: 'empty-string' }]),
      /parameter mode: onNull must hold exactly where the set type is StrOrNull/,
    ],
    ['a check of an unknown parameter', (d) => (checkDoc(d, 'downtime-limit').parameters = ['downtime']), /checks\[\d+\] \(downtime\): no parameter downtime/],
    [
      'a check that never meets its parameter',
      (d) => (checkDoc(d, 'compress-level').since = '9.1'),
      /checks\[0\] \(compress-level\): never meets parameter compress-level/,
    ],
    [
      'a release of a check without a message',
      (d) => (checkDoc(d, 'compress-level').messages[1].since = '7.0'),
      /checks\[0\] \(compress-level\): no message in 6\.0/,
    ],
    ['a conflict with an unknown capability', (d) => (checkDoc(d, 'multifd-compression').capability = 'zero-copy'), /no capability zero-copy/],
    [
      'a conflict with a capability the release lacks',
      (d) => (checkDoc(d, 'multifd-compression').since = '7.0'),
      /capability zero-copy-send does not exist in 7\.0/,
    ],
    ['min above max', (d) => (checkDoc(d, 'announce-step').min = 20000), /checks\[\d+\] \(announce-step\): min above max/],
    ['a stats key twice', (d) => d.stats.members.push({ name: 'total', type: 'int' }), /stats key total appears twice/],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => new MigrationQapiData(broken(change), RELEASES),
        (e: unknown) => isHotmemError(e, 'compat.invalid-data') && message.test(e.message),
      );
    });
  }

  it('refuses a release it does not model, naming the ones it does', () => {
    assert.throws(
      () => migrationCapabilities(release('5.0')),
      (e: unknown) => isHotmemError(e, 'compat.unknown-release') && /QEMU 5\.0 is not a modelled release \(modelled: 5\.1, 5\.2/.test(e.message),
    );
  });

  it('answers each release from a cache of frozen lists', () => {
    const r = release('7.2');
    assert.equal(migrationParameters(r), migrationParameters(release('7.2')));
    assert.equal(migrationCapabilities(r), data.capabilities(r));
    for (const list of [migrationCapabilities(r), migrationParameters(r), migrationParameterChecks(r), migrationStatsKeys(r)]) {
      assert.ok(Object.isFrozen(list));
    }
    assert.ok(Object.isFrozen(param('7.2', 'downtime-limit').validation));
  });
});

describe('migration/qapi-data: every release holds together', () => {
  for (const version of RELEASES) {
    it(`QEMU ${version}`, () => {
      const r = release(version);
      const caps = migrationCapabilities(r);
      const params = migrationParameters(r);
      assert.equal(new Set(caps).size, caps.length);
      assert.equal(new Set(names(params)).size, params.length);
      assert.equal(new Set(names(migrationStatsKeys(r))).size, migrationStatsKeys(r).length);
      for (const p of params) {
        if (p.reportedWhen === 'always') assert.notEqual(p.default, undefined, `${p.name} has no default`);
        else assert.equal(p.default, undefined, `${p.name} is reported only when set`);
        if (p.kind === 'enum') assert.ok(names(p.values).includes(p.default), `${p.name}: default ${p.default} is not a value`);
      }
      for (const check of migrationParameterChecks(r)) {
        for (const name of check.parameters) assert.ok(has(version, name), `a check reads ${name}`);
        if (check.kind === 'capability-conflict') assert.ok(caps.includes(check.capability), `${check.capability} is a capability`);
        if (check.kind === 'range' && check.minParameter !== undefined) assert.ok(has(version, check.minParameter));
      }
      // Each check is in the validation of exactly the parameters it reads.
      const attached = params.flatMap((p) => p.validation.map((c) => [p.name, c] as const));
      for (const [name, check] of attached) assert.ok(check.parameters.includes(name));
      assert.equal(
        attached.length,
        migrationParameterChecks(r).reduce((n, c) => n + c.parameters.length, 0),
      );
    });
  }

  it('the capability order of every release is the enum order of the newest that has them', () => {
    // Members are only ever appended or removed, so each release's list is a subsequence of the union.
    const union = [...new Set(RELEASES.flatMap((v) => migrationCapabilities(release(v))))];
    for (const version of RELEASES) {
      const caps = migrationCapabilities(release(version));
      assert.deepEqual(
        union.filter((c) => caps.includes(c)),
        [...caps],
      );
    }
  });
});

const CAPS_7_2 = [
  'xbzrle',
  'rdma-pin-all',
  'auto-converge',
  'zero-blocks',
  'compress',
  'events',
  'postcopy-ram',
  'x-colo',
  'release-ram',
  'block',
  'return-path',
  'pause-before-switchover',
  'multifd',
  'dirty-bitmaps',
  'postcopy-blocktime',
  'late-block-activate',
  'x-ignore-shared',
  'validate-uuid',
  'background-snapshot',
  'zero-copy-send',
  'postcopy-preempt',
];

/** What QEMU 7.2's query-migrate-parameters prints on a fresh pc-q35-7.2 (key order aside). */
const PARAMS_7_2: Readonly<Record<string, number | boolean | string>> = {
  'cpu-throttle-tailslow': false,
  'xbzrle-cache-size': 67108864,
  'cpu-throttle-initial': 20,
  'announce-max': 550,
  'decompress-threads': 2,
  'compress-threads': 8,
  'compress-level': 1,
  'multifd-channels': 2,
  'multifd-zstd-level': 1,
  'announce-initial': 50,
  'block-incremental': false,
  'compress-wait-thread': true,
  'downtime-limit': 300,
  'tls-authz': '',
  'multifd-compression': 'none',
  'announce-rounds': 5,
  'announce-step': 100,
  'tls-creds': '',
  'multifd-zlib-level': 1,
  'max-cpu-throttle': 99,
  'max-postcopy-bandwidth': 0,
  'tls-hostname': '',
  'throttle-trigger-threshold': 50,
  'max-bandwidth': 134217728,
  'x-checkpoint-delay': 20000,
  'cpu-throttle-increment': 10,
};

/** A completed source's "ram" in QEMU 7.2. */
const STATS_7_2 = [
  'total',
  'postcopy-requests',
  'dirty-sync-count',
  'multifd-bytes',
  'pages-per-second',
  'downtime-bytes',
  'page-size',
  'remaining',
  'postcopy-bytes',
  'mbps',
  'transferred',
  'dirty-sync-missed-zero-copy',
  'precopy-bytes',
  'duplicate',
  'dirty-pages-rate',
  'skipped',
  'normal-bytes',
  'normal',
];

describe('migration/qapi-data: QEMU 7.2', () => {
  const r = release('7.2');

  it('has exactly the 21 capabilities qemu 7.2 lists, in its order', () => {
    assert.deepEqual([...migrationCapabilities(r)], CAPS_7_2);
  });

  it('reports exactly the 26 parameters qemu 7.2 prints, with its defaults', () => {
    const reported = Object.fromEntries(
      migrationParameters(r)
        .filter((p) => p.reportedWhen === 'always')
        .map((p) => [p.name, p.default]),
    );
    assert.deepEqual(reported, PARAMS_7_2);
    assert.equal(param('7.2', 'block-bitmap-mapping').reportedWhen, 'when-set');
  });

  it('puts the 18 keys of a completed migration in "ram"', () => {
    assert.deepEqual(names(migrationStatsKeys(r)).sort(), [...STATS_7_2].sort());
    const conditional = migrationStatsKeys(r).filter((k) => k.condition !== undefined);
    assert.deepEqual(names(conditional), ['remaining', 'skipped', 'dirty-pages-rate']);
  });

  it('checks the set parameters with QEMU 7.2 messages, in migrate_params_check order', () => {
    const checks = migrationParameterChecks(r);
    assert.deepEqual(
      checks.map((c) => c.parameters[0]),
      [
        'compress-level',
        'compress-threads',
        'decompress-threads',
        'throttle-trigger-threshold',
        'cpu-throttle-initial',
        'cpu-throttle-increment',
        'max-bandwidth',
        'downtime-limit',
        'multifd-channels',
        'multifd-zlib-level',
        'multifd-zstd-level',
        'xbzrle-cache-size',
        'max-cpu-throttle',
        'announce-initial',
        'announce-max',
        'announce-rounds',
        'announce-step',
        'block-bitmap-mapping',
        'multifd-compression',
      ],
    );
    const downtime = param('7.2', 'downtime-limit');
    assert.deepEqual(downtime.validation, [
      {
        parameters: ['downtime-limit'],
        readsCurrent: false,
        kind: 'range',
        max: 2000000,
        message: "Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms",
      },
    ]);
    const bandwidth = param('7.2', 'max-bandwidth').validation[0];
    assert.ok(bandwidth?.kind === 'range' && bandwidth.hostBits === 32, 'max-bandwidth > SIZE_MAX can only fail on 32-bit hosts');
    const cpuInitial = param('7.2', 'cpu-throttle-initial');
    assert.deepEqual(
      cpuInitial.validation.map((c) => messageOf(c)),
      [
        "Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
        "Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99",
      ],
    );
    const zeroCopy = param('7.2', 'tls-creds').validation[0];
    assert.ok(zeroCopy?.kind === 'capability-conflict' && zeroCopy.capability === 'zero-copy-send' && zeroCopy.if === 'CONFIG_LINUX');
  });

  it('types parameters as qapi/migration.json does, set types included', () => {
    const spec = param('7.2', 'compress-level');
    assert.ok(spec.kind === 'integer');
    assert.equal(spec.type, 'uint8');
    assert.equal(spec.setType, 'uint8');
    assert.deepEqual(spec.typeError, { max: 255, message: "Parameter 'compress-level' expects uint8_t" });
    assert.equal(param('7.2', 'x-checkpoint-delay').typeError?.message, "Parameter 'x-checkpoint-delay' expects uint32_t");
    assert.equal(param('7.2', 'max-bandwidth').typeError, undefined);
    const tls = param('7.2', 'tls-creds');
    assert.ok(tls.kind === 'str');
    assert.equal(tls.setType, 'StrOrNull');
    assert.equal(tls.onNull, 'empty-string');
    assert.equal(param('7.2', 'tls-authz').onNull, 'assertion-failure');
    const compression = param('7.2', 'multifd-compression');
    assert.ok(compression.kind === 'enum');
    assert.deepEqual(compression.values, [{ name: 'none' }, { name: 'zlib' }, { name: 'zstd', if: 'CONFIG_ZSTD' }]);
    const mapping = param('7.2', 'block-bitmap-mapping');
    assert.ok(mapping.kind === 'array');
    assert.equal(mapping.of, 'BitmapMigrationNodeAlias');
    assert.equal(mapping.qapiType, "['BitmapMigrationNodeAlias']");
  });

  it('accepts and drops multifd-zlib-level and multifd-zstd-level, checking the current value', () => {
    for (const name of ['multifd-zlib-level', 'multifd-zstd-level']) {
      const spec = param('7.2', name);
      assert.equal(spec.appliedBySet, false);
      assert.equal(spec.validation[0]?.readsCurrent, true);
    }
    assert.equal(param('7.2', 'downtime-limit').appliedBySet, true);
  });
});

interface ReleaseCase {
  readonly version: string;
  readonly capabilities: number;
  readonly parameters: number;
  readonly stats: number;
  readonly check: (version: string) => void;
}

/** Spot checks per release, each on what changed there (the QEMU source of that release). */
const BY_RELEASE: readonly ReleaseCase[] = [
  {
    version: '5.1',
    capabilities: 18,
    parameters: 26,
    stats: 14,
    check: (v) => {
      assert.ok(!migrationCapabilities(release(v)).includes('background-snapshot'));
      assert.ok(!has(v, 'block-bitmap-mapping'));
      assert.equal(param(v, 'max-bandwidth').default, 33554432);
      assert.equal(param(v, 'compress-level').setType, 'int');
      assert.equal(param(v, 'compress-level').typeError, undefined);
      assert.equal(messageOf(param(v, 'compress-level').validation[0]), "Parameter 'compress_level' expects is invalid, it should be in the range of 0 to 9");
      assert.equal(
        messageOf(param(v, 'announce-step').validation[0]),
        "Parameter 'announce_step' expects is invalid, it must be in the range of 1 to 10000 ms",
      );
      assert.ok(!names(migrationStatsKeys(release(v))).includes('precopy-bytes'));
    },
  },
  {
    version: '5.2',
    capabilities: 18,
    parameters: 27,
    stats: 14,
    check: (v) => {
      assert.equal(param(v, 'max-bandwidth').default, 134217728);
      const mapping = param(v, 'block-bitmap-mapping');
      assert.equal(mapping.reportedWhen, 'when-set');
      assert.deepEqual(
        mapping.validation.map((c) => c.kind),
        ['bitmap-alias-map'],
      );
    },
  },
  {
    version: '6.0',
    capabilities: 19,
    parameters: 27,
    stats: 14,
    check: (v) => {
      assert.equal(migrationCapabilities(release(v)).at(-1), 'background-snapshot');
      assert.equal(param(v, 'compress-level').setType, 'uint8');
      assert.equal(messageOf(param(v, 'announce-step').validation[0]), "Parameter 'announce_step' expects a value between 0 and 10000");
      assert.equal(
        messageOf(param(v, 'xbzrle-cache-size').validation[0]),
        "Parameter 'xbzrle_cache_size' expects a power of two no less than the target page size",
      );
    },
  },
  {
    version: '6.2',
    capabilities: 19,
    parameters: 27,
    stats: 14,
    check: (v) => {
      assert.deepEqual(param(v, 'x-checkpoint-delay').features, ['unstable']);
      assert.deepEqual(data.capabilitySpecs(release(v)).find((c) => c.name === 'x-colo')?.features, ['unstable']);
      assert.deepEqual(param('6.1', 'x-checkpoint-delay').features, []);
    },
  },
  {
    version: '7.0',
    capabilities: 19,
    parameters: 27,
    stats: 17,
    check: (v) => assert.deepEqual(names(migrationStatsKeys(release(v))).slice(-3), ['precopy-bytes', 'downtime-bytes', 'postcopy-bytes']),
  },
  {
    version: '7.1',
    capabilities: 21,
    parameters: 27,
    stats: 18,
    check: (v) => {
      assert.deepEqual(migrationCapabilities(release(v)).slice(-2), ['zero-copy-send', 'postcopy-preempt']);
      assert.equal(migrationParameterChecks(release(v)).at(-1)?.kind, 'capability-conflict');
      assert.equal(param(v, 'tls-creds').property, 'tls-creds');
      assert.equal(param('7.0', 'tls-creds').property, undefined);
    },
  },
  {
    version: '8.1',
    capabilities: 23,
    parameters: 29,
    stats: 18,
    check: (v) => {
      assert.deepEqual(migrationCapabilities(release(v)).slice(-2), ['switchover-ack', 'dirty-limit']);
      assert.equal(param(v, 'x-vcpu-dirty-limit-period').default, 1000);
      assert.equal(messageOf(param(v, 'vcpu-dirty-limit').validation[0]), "Parameter 'vcpu_dirty_limit' expects is invalid, it must greater then 1 MB/s");
      assert.equal(messageOf(param(v, 'x-vcpu-dirty-limit-period').validation[0]), "Parameter 'x-vcpu-dirty-limit-period' expects a value between 1 and 1000");
    },
  },
  {
    version: '8.2',
    capabilities: 23,
    parameters: 31,
    stats: 18,
    check: (v) => {
      assert.deepEqual(data.capabilitySpecs(release(v)).find((c) => c.name === 'block')?.features, ['deprecated']);
      assert.deepEqual(param(v, 'block-incremental').features, ['deprecated']);
      assert.equal(param(v, 'avail-switchover-bandwidth').default, 0);
      assert.equal(param(v, 'mode').default, 'normal');
      assert.equal(param(v, 'tls-authz').onNull, 'empty-string');
    },
  },
  {
    version: '9.0',
    capabilities: 24,
    parameters: 32,
    stats: 18,
    check: (v) => {
      assert.equal(migrationCapabilities(release(v)).at(-1), 'mapped-ram');
      assert.equal(param(v, 'zero-page-detection').default, 'multifd');
      assert.equal(param(v, 'multifd-zlib-level').appliedBySet, true);
      assert.equal(param(v, 'multifd-zlib-level').validation[0]?.readsCurrent, false);
      const mapped = migrationParameterChecks(release(v)).find((c) => c.kind === 'capability-conflict' && c.capability === 'mapped-ram');
      assert.equal(mapped?.readsCurrent, true);
    },
  },
  {
    version: '9.1',
    capabilities: 22,
    parameters: 28,
    stats: 17,
    check: (v) => {
      const caps = migrationCapabilities(release(v));
      assert.ok(!caps.includes('compress') && !caps.includes('block'));
      assert.ok(!has(v, 'compress-level') && !has(v, 'block-incremental'));
      assert.equal(param(v, 'direct-io').default, false);
      assert.equal(messageOf(param(v, 'direct-io').validation[0]), 'No build-time support for direct-io');
      assert.equal(messageOf(param(v, 'vcpu-dirty-limit').validation[0]), "Parameter 'vcpu_dirty_limit' must be greater than 1 MB/s");
      assert.ok(!names(migrationStatsKeys(release(v))).includes('skipped'));
      const compression = param(v, 'multifd-compression');
      assert.ok(compression.kind === 'enum');
      assert.deepEqual(names(compression.values), ['none', 'zlib', 'zstd', 'qpl', 'uadk']);
    },
  },
  {
    version: '9.2',
    capabilities: 22,
    parameters: 29,
    stats: 17,
    check: (v) => {
      assert.equal(messageOf(param(v, 'multifd-qatzip-level').validation[0]), "Parameter 'multifd_qatzip_level' expects a value between 1 and 9");
      assert.deepEqual(data.capabilitySpecs(release(v)).find((c) => c.name === 'zero-blocks')?.features, ['deprecated']);
    },
  },
  {
    version: '10.0',
    capabilities: 22,
    parameters: 29,
    stats: 17,
    check: (v) => {
      const mode = param(v, 'mode');
      assert.ok(mode.kind === 'enum');
      assert.deepEqual(names(mode.values), ['normal', 'cpr-reboot', 'cpr-transfer']);
    },
  },
  {
    version: '10.2',
    capabilities: 22,
    parameters: 30,
    stats: 17,
    check: (v) => {
      const exec = param(v, 'cpr-exec-command');
      assert.ok(exec.kind === 'array');
      assert.deepEqual(exec.default, []);
      assert.equal(exec.reportedWhen, 'always');
      assert.ok(data.statsStatuses(release(v)).includes('postcopy-device'));
      assert.ok(!data.statsStatuses(release('10.1')).includes('postcopy-device'));
    },
  },
  {
    version: '11.0',
    capabilities: 21,
    parameters: 30,
    stats: 17,
    check: (v) => {
      assert.ok(!migrationCapabilities(release(v)).includes('zero-blocks'));
      assert.ok(!has(v, 'x-rdma-chunk-size'));
      // 11.0.3 passes through 'failing' as 11.1 does.
      const statuses = data.statuses(release(v));
      assert.equal(statuses.indexOf('failing'), statuses.indexOf('completed') + 1);
      assert.equal(
        messageOf(migrationParameterChecks(release(v)).find((c) => c.parameters.includes('downtime-limit'))),
        'Option downtime-limit expects an integer in the range of 0 to (2000 * 1000) ms',
      );
    },
  },
  {
    version: '11.1',
    capabilities: 21,
    parameters: 31,
    stats: 17,
    check: (v) => {
      const chunk = param(v, 'x-rdma-chunk-size');
      assert.equal(chunk.default, 1048576);
      assert.deepEqual(chunk.features, ['unstable']);
      const check = migrationParameterChecks(release(v)).at(-1);
      assert.ok(check?.kind === 'power-of-two');
      assert.deepEqual(
        [check.min, check.max, check.message],
        [1048576, 1073741824, 'Option x_rdma_chunk_size expects a power of 2 in the range 1MiB to 1024MiB'],
      );
      const statuses = data.statuses(release(v));
      assert.equal(statuses.indexOf('failing'), statuses.indexOf('completed') + 1);
    },
  },
];

describe('migration/qapi-data: per release', () => {
  for (const c of BY_RELEASE) {
    it(`QEMU ${c.version}: ${c.capabilities} capabilities, ${c.parameters} parameters, ${c.stats} RAM keys`, () => {
      const r = release(c.version);
      assert.equal(migrationCapabilities(r).length, c.capabilities);
      assert.equal(migrationParameters(r).length, c.parameters);
      assert.equal(migrationStatsKeys(r).length, c.stats);
      c.check(c.version);
    });
  }
});
