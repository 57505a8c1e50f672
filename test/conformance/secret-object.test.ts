/**
 * `-object secret` and `secret_keyring` (libvirt passes its master key as one on every start)
 * through each Debian release's real qemu-system-x86_64 and through `hotmem qemu` of that release:
 * stderr and exit status must be identical. The files a secret reads are made under /tmp, which
 * the roots bind. A secret that loads is followed by a device that fails once every object exists,
 * so no run waits for a machine that keeps running.
 */
import { createCipheriv } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireModelled } from './modelled-release.js';
import { realQemus, requireReal } from './real-qemu.js';
import { assertSameStartup } from './transcripts.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S', '-machine', 'pc'];
/** Fails after every -object is created, so a secret that loads still ends the run. */
const THEN_FAIL = ['-device', 'virtio-mem-pci,memdev=nope'];

const KEY = Buffer.alloc(32, 'k');
const IV = Buffer.alloc(16, 'i');
const IV64 = IV.toString('base64');
const encrypted = (plain: string, pad = true): string => {
  const cipher = createCipheriv('aes-256-cbc', KEY, IV).setAutoPadding(pad);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
};

/** The -object options, `$D` standing for the fixture directory. */
const CASES: readonly (readonly string[])[] = [
  ['secret,id=s0'],
  ['secret,help'],
  ['secret_keyring,help'],
  ['secret,id=s0,data=abc'],
  ['secret,id=s0,data=abc,file=$D/key'],
  ['secret,id=s0,data=abc,format=hex'],
  ['secret,id=s0,data=abc,bogus=1'],
  ['secret,id=s0,data=a!c,format=base64'],
  ['secret,id=s0,file=$D/b64,format=base64'],
  ['secret,id=s0,file=$D/nul,format=base64'],
  ['secret,id=s0,file=$D/none'],
  ['secret,id=s0,file=$D/dir'],
  ['secret,id=s0,data=abc,keyid=nokey'],
  ['secret,id=s0,data=abc,keyid=s0'],
  ['secret,id=k,data=abc', 'secret,id=s0,data=abc,keyid=k'],
  ['secret,id=k,file=$D/key', 'secret,id=s0,data=abc,keyid=k'],
  ['secret,id=k,file=$D/key', 'secret,id=s0,data=abc,keyid=k,iv=YWJj'],
  ['secret,id=k,file=$D/key', `secret,id=s0,data=abc,keyid=k,iv=${IV64}`],
  ['secret,id=k,file=$D/key', `secret,id=s0,data=${encrypted('0123456789abcdef', false)},format=base64,keyid=k,iv=${IV64}`],
  ['secret,id=k,file=$D/key', `secret,id=s0,data=${encrypted('hello')},format=base64,keyid=k,iv=${IV64}`],
  ['secret,id=s0,data=abc,iv=xx'],
  ['secret,id=s0,data=abc,loaded=off'],
  ['secret,id=s0,data=abc,loaded=on'],
  ['secret_keyring,id=s0'],
  ['secret_keyring,id=s0,serial=-2'],
  ['{"qom-type":"secret","id":"masterKey0","format":"raw","file":"$D/key"}'],
];

function fixtures(dir: string): void {
  writeFileSync(join(dir, 'key'), KEY);
  writeFileSync(join(dir, 'b64'), 'YWJj\n');
  writeFileSync(join(dir, 'nul'), 'YW\0Jj');
  mkdirSync(join(dir, 'dir'));
}

const RUNNING_AFTER_MS = 6_000;

describe('conformance: -object secret and secret_keyring, qemu-system-x86_64, every Debian release', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync('/tmp/hotmem-secret-');
    fixtures(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const objects of CASES) {
        it(objects.join(' '), async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          await assertSameStartup(q, [...COMMON, ...objects.flatMap((o) => ['-object', o.replaceAll('$D', dir)]), ...THEN_FAIL], RUNNING_AFTER_MS);
        });
      }
    });
  }
});
