/**
 * -machine usb= and dump-guest-core= against the four binaries: the values qom-get reads, the
 * slots the board's USB controllers take with usb=on (a -device there is refused, naming them),
 * and the refusal of a value that is not a bool.
 */
import { describeTranscripts, type Step } from './transcripts.js';

const get = (property: string): Step => ['qom-get', { path: '/machine', property }];
const balloonAt = (addr: string) => ['-device', `virtio-balloon-pci,id=b0,addr=${addr}`];

describeTranscripts('conformance: -machine usb and dump-guest-core by release', [
  ['pc: the defaults', ['-machine', 'pc'], [get('usb'), get('dump-guest-core')]],
  ['q35 usb=on,dump-guest-core=off', ['-machine', 'q35,usb=on,dump-guest-core=off'], [get('usb'), get('dump-guest-core')]],
  ['pc usb=on: the UHCI holds 1.2', ['-machine', 'pc,usb=on', ...balloonAt('1.2')], []],
  ['pc usb=off: 1.2 is free', ['-machine', 'pc,usb=off', ...balloonAt('1.2')], [['qom-get', { path: 'b0', property: 'addr' }]]],
  ['q35 usb=on: the EHCI holds 1d.7', ['-machine', 'q35,usb=on', ...balloonAt('1d.7')], []],
  ['q35 usb=on: a UHCI companion holds 1d.1', ['-machine', 'q35,usb=on', ...balloonAt('1d.1')], []],
  ['q35 usb=on: 1d.3 is free', ['-machine', 'q35,usb=on', ...balloonAt('1d.3')], [['qom-get', { path: 'b0', property: 'addr' }]]],
  ['usb=maybe', ['-machine', 'pc,usb=maybe'], []],
  ['dump-guest-core=maybe', ['-machine', 'q35,dump-guest-core=maybe'], []],
]);
