/**
 * -blockdev against the four binaries: the QAPI checks of its keyval and JSON forms (missing,
 * unexpected and mistyped members, an unknown driver), the node-name rules, and the open of the
 * file, host_device, raw and qcow2 drivers on files of this host (/dev/null, a regular file, a
 * directory, a file that is no qcow2 image, one that does not exist), and when a failed open is
 * reported among the other late failures. A node that opens lets QEMU run: query-status then.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { describeTranscripts, type Step } from './transcripts.js';

/** Files under /tmp, which the roots bind. */
const DIR = '/tmp/hotmem-blockdev-conformance';
// Root hooks: the images exist while this file's cases run (real and hotmem alike), and go after.
before(() => {
  mkdirSync(`${DIR}/dir`, { recursive: true });
  writeFileSync(`${DIR}/empty.img`, '');
  writeFileSync(`${DIR}/bad-version.qcow2`, Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 0]));
});
after(() => rmSync(DIR, { recursive: true, force: true }));

const bd = (arg: string) => ['-blockdev', arg];
const RUNS: readonly Step[] = [['query-status']];
const img = `${DIR}/empty.img`;

describeTranscripts('conformance: -blockdev by release', [
  ['file on a regular file', bd(`driver=file,filename=${img},node-name=a`), RUNS],
  ['raw over a nested file, JSON', bd(`{"driver":"raw","file":{"driver":"file","filename":"${img}"},"node-name":"r"}`), RUNS],
  ['raw over a node by name', [...bd(`driver=file,filename=${img},node-name=f`), ...bd('driver=raw,file=f,node-name=r')], RUNS],
  [
    "host_device on /dev/null (libvirt's disk, adapted)",
    bd('{"driver":"host_device","filename":"/dev/null","node-name":"libvirt-1-storage","read-only":false}'),
    RUNS,
  ],
  ['file on a file that does not exist', bd(`driver=file,filename=${DIR}/nonexistent,node-name=a`), []],
  ['file on /dev/null', bd('driver=file,filename=/dev/null,node-name=a'), []],
  ['file on a directory, read-only', bd(`driver=file,filename=${DIR}/dir,node-name=a,read-only=on`), []],
  ['file on a directory', bd(`driver=file,filename=${DIR}/dir,node-name=a`), []],
  ['host_device on a regular file', bd(`driver=host_device,filename=${img},node-name=a`), []],
  ['qcow2 on an empty file', bd(`driver=qcow2,file.driver=file,file.filename=${img},node-name=q`), []],
  ['qcow2 of version 0', bd(`driver=qcow2,file.driver=file,file.filename=${DIR}/bad-version.qcow2,node-name=q`), []],
  ['qcow2 on /dev/null', bd('driver=qcow2,file.driver=file,file.filename=/dev/null,node-name=q'), []],
  ['raw over a node that does not exist', bd('driver=raw,file=nope,node-name=r'), []],
  ['no node-name', bd(`driver=file,filename=${img}`), []],
  ['a node-name starting with a digit', bd(`driver=file,filename=${img},node-name=9a`), []],
  ['a child node-name starting with a digit', bd(`driver=raw,file.driver=file,file.filename=${img},file.node-name=9,node-name=r`), []],
  ['a duplicate node-name', [...bd(`driver=file,filename=${img},node-name=a`), ...bd(`driver=file,filename=${img},node-name=a`)], []],
  ['no driver', bd('foo=bar'), []],
  ['an unknown driver', bd('driver=bogus'), []],
  ['the implied driver, the last filename wins', bd(`file,filename=/dev/null,node-name=a,filename=${DIR}/nonexistent`), []],
  ['no filename', bd('driver=file,node-name=a'), []],
  ['raw without file', bd('driver=raw,node-name=r'), []],
  ["a nested file's driver missing", bd(`driver=raw,file.filename=${img},node-name=r`), []],
  ['an unexpected member', bd(`driver=file,filename=${img},node-name=a,foo=1`), []],
  ['an unexpected nested member', bd(`driver=raw,file.driver=file,file.filename=${img},node-name=r,file.foo=1`), []],
  ['read-only=maybe', bd(`driver=file,filename=${img},node-name=a,read-only=maybe`), []],
  ['size=abc', bd(`driver=raw,file.driver=file,file.filename=${img},node-name=r,size=abc`), []],
  ['JSON: a number for filename', bd('{"driver":"file","filename":1}'), []],
  ['JSON: a string for read-only', bd(`{"driver":"raw","file":{"driver":"file","filename":"${img}"},"node-name":"r","read-only":"yes"}`), []],
  ['keyval: a key without a value', bd('driver=file,foo'), []],
  ['keyval: a key used inconsistently', bd('driver=file,cache.direct=on,cache=x'), []],
  ['keyval: an invalid key', bd('driver=file,a..b=1'), []],
  ['help', bd('help'), []],
  ['a chardev failure comes first', [...bd(`driver=file,filename=${DIR}/nonexistent,node-name=a`), '-chardev', 'socket,id=c'], []],
  ['before -smp', [...bd(`driver=file,filename=${DIR}/nonexistent,node-name=a`), '-smp', '0x'], []],
  ['after -rtc', [...bd(`driver=file,filename=${DIR}/nonexistent,node-name=a`), '-rtc', 'base=foo'], []],
  ['before -mon', [...bd(`driver=file,filename=${DIR}/nonexistent,node-name=a`), '-mon', 'chardev=zz'], []],
  ['before a machine property', [...bd(`driver=file,filename=${DIR}/nonexistent,node-name=a`), '-machine', 'pc,foo=1'], []],
]);
