/**
 * vfio-pci's `host` property (qdev_prop_pci_host_devaddr, hw/core/qdev-properties-system.c):
 * `[domain:]bus:slot.function`, each part read by qemu_strtoul in base 16 (leading white space,
 * a sign and a 0x prefix allowed), domain <= 0xffff, bus <= 0xff, slot <= 0x1f, function <= 7,
 * nothing after the function. Real 5.2.0, 7.2.22, 10.0.13 and 11.1.3 take and refuse the same
 * texts (test/conformance/vfio-pci.test.ts).
 */
import { qomErrors } from '../../src/qom/errors.js';
import type { PropertyInput } from '../../src/qom/object-model.js';
import { notTaken } from '../../src/qom/qdev-address-props.js';

export interface PciHostAddress {
  readonly domain: number;
  readonly bus: number;
  readonly slot: number;
  readonly fn: number;
}

/** qemu_strtoul(p, &e, 16): the value and where it stopped, or undefined when no digit was read. */
function strtoul16(s: string, pos: number): { value: bigint; end: number } | undefined {
  let i = pos;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) i += 2;
  const start = i;
  while (i < s.length && /[0-9a-fA-F]/.test(s[i]!)) i++;
  if (i === start) return undefined;
  const magnitude = BigInt(`0x${s.slice(start, i)}`);
  // strtoul negates in unsigned long arithmetic: only -0 stays small.
  return { value: negative && magnitude !== 0n ? (1n << 64n) - magnitude : magnitude, end: i };
}

/** The address `text` names, or undefined where QEMU's parser refuses it. */
export function parsePciHostAddress(text: string): PciHostAddress | undefined {
  const first = strtoul16(text, 0);
  if (!first || first.value > 0xffffn || text[first.end] !== ':') return undefined;
  const second = strtoul16(text, first.end + 1);
  if (!second || second.value > 0xffn) return undefined;
  let domain = 0n;
  let bus = first.value;
  let slot = second;
  if (text[second.end] === ':') {
    domain = first.value;
    bus = second.value;
    const third = strtoul16(text, second.end + 1);
    if (!third) return undefined;
    slot = third;
  } else if (bus > 0xffn) {
    return undefined;
  }
  if (slot.value > 0x1fn || text[slot.end] !== '.') return undefined;
  const fn = strtoul16(text, slot.end + 1);
  if (!fn || fn.value > 7n || fn.end !== text.length) return undefined;
  return { domain: Number(domain), bus: Number(bus), slot: Number(slot.value), fn: Number(fn.value) };
}

/** As get_pci_host_devaddr prints it, and as sysfs names the device: 0000:01:00.0. */
export function formatPciHostAddress(a: PciHostAddress): string {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return `${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.fn}`;
}

/** set_pci_host_devaddr: a string (visit_type_str), stored in its canonical form. */
export function parseHostProperty(type: string, input: PropertyInput): string {
  if (input.source === 'json' && typeof input.json !== 'string') throw qomErrors.error('qom.value-type', { property: 'host', expected: 'string' });
  const text = input.source === 'text' ? input.text : (input.json as string);
  const address = parsePciHostAddress(text);
  if (!address) throw notTaken(type, 'host', text);
  return formatPciHostAddress(address);
}
