/**
 * The real qemu-system-x86_64 of every Debian suite against compat/migration.yaml for its release:
 * query-migrate-capabilities (names, enum order), query-migrate-parameters (members, defaults),
 * the errors migrate-set-parameters gives for out-of-range values of every checked parameter,
 * and the keys of a completed migration's "ram".
 */
import { strict as assert } from 'node:assert';
import { release as parseRelease, type Release } from '../../src/core/release.js';
import { loadMigrationQapi, type MigrationParameterSpec, type ParameterCheck } from '../../src/migration/qapi-data.js';
import { QmpError, QmpSession } from './qemu.js';
import { realQemus, requireReal, type MissingQemu, type RealQemu } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';

type Params = Readonly<Record<string, unknown>>;

/** The release's real binary, or a skip saying why there is none. */
function requireRelease(context: Mocha.Context, q: RealQemu | MissingQemu): { binary: string; release: Release; version: string } {
  requireReal(context, q);
  requireModelled(context, q.release);
  return { binary: q.binary, release: parseRelease(q.release), version: q.release };
}

/** QEMU under QMP with the release's newest q35 machine (no machine compat over the defaults). */
const startQemu = (binary: string, version: string): Promise<QmpSession> => QmpSession.start(binary, ['-M', `pc-q35-${version}`, '-m', '64M']);

const defaultsOf = (params: readonly MigrationParameterSpec[]): Record<string, unknown> =>
  Object.fromEntries(params.filter((p) => p.reportedWhen === 'always').map((p) => [p.name, p.default]));

/** The largest value the QAPI input visitor lets through to migrate_params_check for `p`. */
function setTypeMax(p: MigrationParameterSpec): number {
  if (p.typeError) return p.typeError.max;
  return Number.MAX_SAFE_INTEGER;
}

/**
 * The message of the first check (QEMU's order) that `given` fails, evaluated on the current
 * parameters overlaid with `given`; undefined when all pass. Capabilities are all off here.
 */
function firstFailure(checks: readonly ParameterCheck[], current: Params, given: Params): string | undefined {
  const after: Params = { ...current, ...given };
  for (const check of checks) {
    const values = check.readsCurrent ? current : after;
    const value = values[check.parameters[0] ?? ''];
    switch (check.kind) {
      case 'range': {
        if (check.hostBits === 32 || typeof value !== 'number') break;
        const min = check.minParameter !== undefined ? (values[check.minParameter] as number) : check.min;
        if ((min !== undefined && value < min) || (check.max !== undefined && value > check.max)) return check.message;
        break;
      }
      case 'power-of-two':
        // x86_64's target page size.
        if (typeof value === 'number' && (value < 4096 || (value & (value - 1)) !== 0)) return check.message;
        break;
      default:
        break;
    }
  }
  return undefined;
}

interface SetCase {
  readonly what: string;
  readonly given: Params;
  /** QEMU's exact error, or undefined when QEMU accepts the call. */
  readonly error: string | undefined;
}

/** Out-of-range values for every parameter with a range check, and the type errors before them. */
function rangeCases(params: readonly MigrationParameterSpec[], checks: readonly ParameterCheck[], defaults: Params): SetCase[] {
  const cases: SetCase[] = [];
  const add = (p: MigrationParameterSpec, value: number, why: string): void => {
    if (value < 0 || value > setTypeMax(p)) return;
    cases.push({ what: `${p.name} ${value} (${why})`, given: { [p.name]: value }, error: firstFailure(checks, defaults, { [p.name]: value }) });
  };
  for (const p of params) {
    if (p.kind !== 'integer') continue;
    for (const check of p.validation) {
      if (check.parameters[0] !== p.name) continue;
      if (check.kind === 'range') {
        if (check.hostBits !== undefined) {
          // Dead on a 64-bit host: a value above the 32-bit SIZE_MAX is accepted.
          if (check.max !== undefined) add(p, check.max + 1, `above ${check.max}, refused only on ${check.hostBits}-bit hosts`);
          continue;
        }
        if (check.max !== undefined) add(p, check.max + 1, `above ${check.max}`);
        if (check.min !== undefined && check.min > 0) add(p, check.min - 1, `below ${check.min}`);
        if (check.minParameter !== undefined) add(p, (defaults[check.minParameter] as number) - 1, `below ${check.minParameter}`);
      }
      if (check.kind === 'power-of-two') {
        add(p, 4097, 'not a power of two');
        add(p, 2048, 'below the target page size');
      }
    }
    if (p.typeError)
      cases.push({ what: `${p.name} ${p.typeError.max + 1} (above its set type)`, given: { [p.name]: p.typeError.max + 1 }, error: p.typeError.message });
  }
  return cases;
}

describe('conformance: migration QAPI by release', function () {
  this.timeout(60_000);
  const data = loadMigrationQapi();

  for (const q of realQemus('x86_64', 'all')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      it("query-migrate-capabilities lists the release's capabilities in enum order, all off", async function () {
        const { binary, release, version } = requireRelease(this, q);
        const qemu = await startQemu(binary, version);
        try {
          const real = await qemu.execute<{ capability: string; state: boolean }[]>('query-migrate-capabilities');
          const listed = new Set(real.map((c) => c.capability));
          // A build without a capability's switch leaves it out (block without CONFIG_LIVE_BLOCK_MIGRATION).
          const expected = data
            .capabilitySpecs(release)
            .filter((c) => c.listedOnlyWith === undefined || listed.has(c.name))
            .map((c) => c.name);
          assert.deepEqual(
            real.map((c) => c.capability),
            expected,
          );
          assert.ok(real.every((c) => !c.state));
        } finally {
          await qemu.quit();
        }
      });

      it("query-migrate-parameters reports the release's parameters with their defaults", async function () {
        const { binary, release, version } = requireRelease(this, q);
        const qemu = await startQemu(binary, version);
        try {
          const real = await qemu.execute<Record<string, unknown>>('query-migrate-parameters');
          assert.deepEqual(real, defaultsOf(data.parameters(release)));
        } finally {
          await qemu.quit();
        }
      });

      it("migrate-set-parameters refuses out-of-range values with the data's messages, and applies nothing", async function () {
        const { binary, release, version } = requireRelease(this, q);
        const params = data.parameters(release);
        const checks = data.parameterChecks(release);
        const defaults = defaultsOf(params);
        const cases = rangeCases(params, checks, defaults);
        assert.ok(cases.length >= 20, `only ${cases.length} cases`);
        const qemu = await startQemu(binary, version);
        try {
          const outcomes: string[] = [];
          const expected: string[] = [];
          for (const c of cases) {
            const got = await qemu.execute('migrate-set-parameters', c.given).then(
              () => 'accepted',
              (e: unknown) => (e instanceof QmpError ? e.desc : String(e)),
            );
            outcomes.push(`${c.what}: ${got}`);
            expected.push(`${c.what}: ${c.error ?? 'accepted'}`);
            if (got === 'accepted') {
              // A member the set does not apply keeps its value; put the others back.
              for (const name of Object.keys(c.given)) {
                const spec = params.find((p) => p.name === name);
                const now = await qemu.execute<Record<string, unknown>>('query-migrate-parameters');
                if (spec && !spec.appliedBySet) assert.equal(now[name], defaults[name], `${name} is not applied`);
                else await qemu.execute('migrate-set-parameters', { [name]: defaults[name] });
              }
            }
          }
          assert.deepEqual(outcomes, expected);
          assert.deepEqual(await qemu.execute('query-migrate-parameters'), defaults);
        } finally {
          await qemu.quit();
        }
      });

      it('migrate-set-parameters checks block-bitmap-mapping, zero-copy-send conflicts and null TLS strings as the data says', async function () {
        const { binary, release, version } = requireRelease(this, q);
        const checks = data.parameterChecks(release);
        const params = data.parameters(release);
        const qemu = await startQemu(binary, version);
        const refusal = (args: Params): Promise<string> =>
          qemu.execute('migrate-set-parameters', args).then(
            () => 'accepted',
            (e: unknown) => (e instanceof QmpError ? e.desc : String(e)),
          );
        try {
          const mapping = checks.find((c) => c.kind === 'bitmap-alias-map');
          if (mapping?.kind === 'bitmap-alias-map') {
            const twice = [
              { 'node-name': 'a', alias: 'a', bitmaps: [] },
              { 'node-name': 'a', alias: 'b', bitmaps: [] },
            ];
            const desc = await refusal({ 'block-bitmap-mapping': twice });
            assert.ok(desc.startsWith(mapping.messagePrefix), desc);
          }

          for (const p of params.filter((x) => x.onNull === 'empty-string')) {
            assert.equal(await refusal({ [p.name]: 'x' }), 'accepted');
            assert.equal(await refusal({ [p.name]: null }), 'accepted');
            const now = await qemu.execute<Record<string, unknown>>('query-migrate-parameters');
            assert.equal(now[p.name], '', `${p.name}: null sets ""`);
          }

          const zeroCopy = checks.find((c) => c.kind === 'capability-conflict' && c.capability === 'zero-copy-send');
          if (zeroCopy?.kind === 'capability-conflict') {
            const on = (state: boolean) =>
              qemu.execute('migrate-set-capabilities', { capabilities: ['multifd', 'zero-copy-send'].map((capability) => ({ capability, state })) });
            const enabled = await on(true).then(
              () => true,
              (e: unknown) => {
                console.log(`      note: zero-copy-send cannot be enabled here (${e instanceof QmpError ? e.desc : String(e)}); its conflicts are not checked`);
                return false;
              },
            );
            if (enabled) {
              assert.equal(await refusal({ 'multifd-compression': 'zlib' }), zeroCopy.message);
              assert.equal(await refusal({ 'tls-creds': 'x' }), zeroCopy.message);
              assert.equal(await refusal({ 'tls-creds': '' }), 'accepted');
              await on(false);
            }
          }
        } finally {
          await qemu.quit();
        }
      });

      it('a completed migration\'s "ram" has the release\'s keys, with their conditions', async function () {
        const { binary, release, version } = requireRelease(this, q);
        const qemu = await startQemu(binary, version);
        try {
          await qemu.execute('migrate', { uri: 'exec:cat > /dev/null' });
          let info: { status?: string; ram?: Record<string, unknown> } = {};
          for (let i = 0; i < 200 && info.status !== 'completed' && info.status !== 'failed'; i++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            info = await qemu.execute<typeof info>('query-migrate');
          }
          assert.equal(info.status, 'completed');
          assert.ok(data.statsStatuses(release).includes('completed'));
          const keys = data.statsKeys(release);
          assert.deepEqual(Object.keys(info.ram ?? {}).sort(), keys.map((k) => k.name).sort());
          // The keys the data marks as conditional are 0 once completed.
          for (const k of keys.filter((x) => x.condition !== undefined)) assert.equal(info.ram?.[k.name], 0, `${k.name}: ${String(k.condition)}`);
          for (const k of keys) assert.equal(typeof info.ram?.[k.name], 'number', k.name);
        } finally {
          await qemu.quit();
        }
      });
    });
  }
});
