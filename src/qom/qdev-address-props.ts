/**
 * The two qdev property types that hold a device's bus address, with their own visitors
 * (hw/core/qdev-properties-system.c qdev_prop_pci_devfn, hw/s390x/css.c css_devid_propinfo):
 * PCI `addr` ("slot[.function]" in hex, or an int32 devfn from JSON) and CCW `devno`
 * ("cssid.ssid.devno"). Parsing follows QEMU's sscanf patterns, errors are QEMU 7.2's texts.
 */
import { HotmemError } from '../core/errors.js';
import { key } from '../core/keys.js';
import { compareReleases, type Release } from '../core/release.js';
import type { PropertyInput } from './object-model.js';

/** The devfn `addr` holds while the bus chooses the slot. */
export const PCI_DEVFN_AUTO = -1;

/** error_set_from_qdev_prop_error(EINVAL): the device type and property name, then the text. */
export const notTaken = (type: string, property: string, text: string) =>
  new HotmemError('qdev.prop-value', `Property '${type}.${property}' doesn't take value '${text}'`, { type, property, text });

const isSpace = (c: string | undefined) => c !== undefined && ' \t\n\v\f\r'.includes(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/**
 * One scanf `%x` (optionally `%Nx`) at `pos`: leading white space, a sign, a 0x prefix, hex
 * digits, all within `width` characters (white space does not count). The value is what the
 * unsigned int receives (a negative number wraps). Undefined when nothing matched.
 */
function scanHex(s: string, pos: number, width = Infinity): { value: number; end: number } | undefined {
  let i = pos;
  while (isSpace(s[i])) i++;
  const limit = i + width;
  let negative = false;
  if ((s[i] === '+' || s[i] === '-') && i < limit) {
    negative = s[i] === '-';
    i++;
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && isHex(s[i + 2]) && i + 2 < limit) i += 2;
  const start = i;
  while (i < limit && isHex(s[i])) i++;
  if (i === start) return undefined;
  let value = BigInt(`0x${s.slice(start, i)}`);
  if (negative) value = -value;
  return { value: Number(BigInt.asUintN(32, value)), end: i };
}

/** `sscanf(str, "%x.%x%n")`, else `sscanf(str, "%x%n")`: slot and function, or undefined. */
function scanSlotFunction(text: string): { slot: number; fn: number } | undefined {
  const slot = scanHex(text, 0);
  if (!slot) return undefined;
  if (text[slot.end] === '.') {
    const fn = scanHex(text, slot.end + 1);
    if (fn) return fn.end === text.length ? { slot: slot.value, fn: fn.value } : undefined;
  }
  return slot.end === text.length ? { slot: slot.value, fn: 0 } : undefined;
}

/**
 * set_pci_devfn: a string is "slot" or "slot.function" in hex (slot <= 0x1f, function <= 7);
 * a JSON integer is the devfn itself, -1 (auto) to 255. `type` is the device's QOM type.
 */
export function parsePciDevfn(type: string, property: string, input: PropertyInput, release: Release): number {
  if (input.source === 'text') {
    // The string input visitor (-global, compat properties) cannot visit the alternate: QEMU 7.2
    // asserts. Before 6.2 -device itself set properties through that visitor, and real 5.2 takes
    // addr so; the alternate is dated with 6.2's devices built from a QDict (JSON -device).
    if (input.visitor === 'string' && compareReleases(release, { major: 6, minor: 2 }) >= 0) {
      throw new HotmemError(
        'qdev.prop-aborts',
        `hotmem: QEMU 7.2 aborts on a -global value for '${type}.${property}' (visit_start_alternate: Assertion \`!(v->type & VISITOR_INPUT)' failed); hotmem refuses it instead`,
        { type, property },
      );
    }
    return devfnOfText(type, property, input.text);
  }
  const json = input.json;
  if (typeof json === 'string') return devfnOfText(type, property, json);
  if (typeof json !== 'number') {
    throw new HotmemError('qom.value-type', `Invalid parameter type for '${property}', expected int or str`, { property });
  }
  if (!Number.isSafeInteger(json)) {
    throw new HotmemError('qom.value-type', `Invalid parameter type for '${property}', expected: integer`, { property });
  }
  if (json < -(2 ** 31) || json >= 2 ** 31) {
    throw new HotmemError('parse.invalid-parameter-value', `Parameter '${property}' expects int32_t`, { name: property, expects: 'int32_t' });
  }
  if (json < -1 || json > 255) {
    throw new HotmemError('parse.invalid-parameter-value', `Parameter '${property}' expects a value between -1 and 255`, {
      name: property,
      expects: 'a value between -1 and 255',
    });
  }
  return json;
}

function devfnOfText(type: string, property: string, text: string): number {
  const parsed = scanSlotFunction(text);
  if (!parsed || parsed.fn > 7 || parsed.slot > 31) throw notTaken(type, property, text);
  return (parsed.slot << 3) | parsed.fn;
}

export const pciSlot = (devfn: number): number => devfn >> 3;
export const pciFunction = (devfn: number): number => devfn & 7;

/** print_pci_devfn: "SS.F" (QEMU's "info qtree" form; the dev path uses the same digits). */
export const formatDevfn = (devfn: number): string => `${pciSlot(devfn).toString(16).padStart(2, '0')}.${pciFunction(devfn).toString(16)}`;

/** A channel-subsystem device id: cssid.ssid.devno (CssDevId). */
export interface CssDevId {
  readonly cssid: number;
  readonly ssid: number;
  readonly devno: number;
}

/** include/hw/s390x/css.h */
export const MAX_CSSID = 0xfe;
export const MAX_SSID = 3;

/** get_css_devid: "%02x.%1x.%04x", with a leading zero of the cssid dropped. */
export function formatCssDevId(id: CssDevId): string {
  const cssid = id.cssid.toString(16);
  return `${id.cssid <= 0xf ? cssid : cssid.padStart(2, '0')}.${id.ssid.toString(16)}.${id.devno.toString(16).padStart(4, '0')}`;
}

/** What get_css_devid returns for an id that is not set. */
export const CSS_DEVID_UNSET = '<unset>';

/**
 * set_css_devid: `sscanf(str, "%2x.%1x%n.%4x%n")` must read all three numbers, exactly four
 * characters after the second dot, and the whole string; cssid and ssid are range-checked.
 * Returns the id in get_css_devid's form, which is what the property then reads.
 */
export function parseCssDevId(type: string, property: string, text: string): CssDevId {
  const cssid = scanHex(text, 0, 2);
  const ssid = cssid && text[cssid.end] === '.' ? scanHex(text, cssid.end + 1, 1) : undefined;
  const devno = ssid && text[ssid.end] === '.' ? scanHex(text, ssid.end + 1, 4) : undefined;
  if (!cssid || !ssid || !devno || devno.end - ssid.end !== 5 || devno.end !== text.length) throw notTaken(type, property, text);
  if (cssid.value > MAX_CSSID || ssid.value > MAX_SSID) {
    // 7.2 lets cssid 0xff through to an assertion failure when the subchannel is built.
    if (cssid.value === 0xff && ssid.value <= MAX_SSID) {
      throw new HotmemError(
        'qdev.prop-aborts',
        `hotmem: QEMU 7.2 aborts on ${property}=${text} (css_sch_build_virtual_schib: Assertion \`css != NULL' failed); hotmem refuses it instead`,
        { type, property },
      );
    }
    throw new HotmemError('css.invalid-id', `Invalid cssid or ssid: cssid ${cssid.value.toString(16)}, ssid ${ssid.value.toString(16)}`, {
      cssid: cssid.value,
      ssid: ssid.value,
    });
  }
  return { cssid: cssid.value, ssid: ssid.value, devno: devno.value & 0xffff };
}

/** The `devno` property's visitor: a string only (visit_type_str). */
export function parseCssDevIdInput(type: string, property: string, input: PropertyInput): string {
  const text = input.source === 'text' ? input.text : input.json;
  if (typeof text !== 'string') throw new HotmemError('qom.value-type', `Invalid parameter type for '${property}', expected: string`, { property });
  return formatCssDevId(parseCssDevId(type, property, text));
}

/**
 * Where the machine's bus put a device (do_pci_register_device, css_create_sch), and the qdev
 * dev path its bus's get_dev_path derives from that: "0000:00:02.0" on a PCI root bus,
 * "/fe.0.0001" on the virtual css bus. Set while the device is plugged, before it realizes.
 */
export type DeviceBusAddress =
  | { readonly kind: 'pci'; readonly devfn: number; readonly devPath: string }
  | { readonly kind: 'ccw'; readonly id: CssDevId; readonly schid: number; readonly devPath: string };

export const BUS_ADDRESS = key<DeviceBusAddress>('device bus address');
