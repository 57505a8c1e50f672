/**
 * For mocha: skips a comparison with a real binary whose release hotmem does not model (yet),
 * naming the release, so the real binary being there never makes an unmodelled release pass.
 */
import { loadCompatData } from '../../src/machine/compat-data/index.js';

export function isModelled(release: string): boolean {
  return loadCompatData()
    .releases()
    .some((r) => r.version === release);
}

export function requireModelled(ctx: Mocha.Context, release: string): void {
  if (!isModelled(release)) {
    console.log(`      skipped: hotmem does not model QEMU ${release} (not in compat/releases.yaml)`);
    ctx.skip();
  }
}
