/**
 * virtio-balloon-device's property table (virtio_balloon_properties plus the two instance
 * properties of virtio_balloon_instance_init), unchanged from 5.1 to 10.2. The four feature
 * switches are DEFINE_PROP_BIT on host_features, so they describe themselves as `on/off`;
 * qemu-4-0-config-size is a plain bool. Compat history (hw/core/machine.c): hw_compat_5_0
 * page-poison=false, hw_compat_4_0 qemu-4-0-config-size=true, hw_compat_3_1 back to false.
 */
import type { QomObject } from '../../src/qom/object.js';
import type { PropertyDef, QomValue } from '../../src/qom/property.js';
import { BOOL_DESCRIPTION } from '../../src/virtio/qom-types.js';
import { virtioBalloonErrors } from './realize.js';

/** What the table needs from the running device (kept apart so the table stays a table). */
export interface VirtioBalloonPropertyHooks {
  /** The `guest-stats` struct: { "last-update": int, "stats": { "stat-...": u64 } }. */
  guestStats(device: QomObject): GuestStatsReply;
  /** The running device's poll interval, if realized. */
  pollInterval(device: QomObject): number | undefined;
  /** Re-arms or stops the running device's stats timer. */
  setPollInterval(device: QomObject, seconds: number): void;
}

export interface GuestStatsReply {
  readonly 'last-update': number;
  /** u64s: a number up to 2^53, exact as a bigint beyond (an unset stat is (u64)-1). */
  readonly stats: Readonly<Record<string, number | bigint>>;
}

const bit = (name: string, defaultValue: boolean, since?: string): PropertyDef => ({
  name,
  type: { kind: 'bool' },
  origin: 'field',
  description: 'on/off',
  default: defaultValue,
  ...(since === undefined ? {} : { since }),
});

/** balloon_stats_set_poll_interval's bounds: not negative, at most UINT32_MAX seconds. */
const UINT32_MAX = 0xffffffff;

export function virtioBalloonProperties(hooks: VirtioBalloonPropertyHooks): readonly PropertyDef[] {
  return [
    bit('deflate-on-oom', false),
    bit('free-page-hint', false),
    // page-poison and free-page-reporting came with free page reporting in 5.1.
    bit('page-poison', true, '5.1'),
    bit('free-page-reporting', false, '5.1'),
    // Gone with hw_compat_4_0 in 11.0 (11.0.3's source and binary).
    { name: 'qemu-4-0-config-size', type: { kind: 'bool' }, origin: 'field', description: BOOL_DESCRIPTION, default: false, until: '11.0' },
    { name: 'iothread', type: { kind: 'link', target: 'iothread' }, origin: 'field' },
    {
      name: 'guest-stats',
      type: { kind: 'str' },
      typeName: 'guest statistics',
      origin: 'custom',
      readOnly: true,
      // qom-get answers with a struct; QomValue has no struct variant yet, and the QMP layer
      // serializes whatever the getter returns, so the struct passes through unchanged.
      get: (device) => hooks.guestStats(device) as unknown as QomValue,
    },
    {
      name: 'guest-stats-polling-interval',
      type: { kind: 'int64' },
      typeName: 'int',
      origin: 'custom',
      default: 0,
      get: (device) => hooks.pollInterval(device) ?? (device.stored('guest-stats-polling-interval') as number | undefined) ?? 0,
      set: (device, value) => {
        const seconds = value as number;
        if (seconds < 0) throw virtioBalloonErrors.error('virtio-balloon.timer-negative');
        if (seconds > UINT32_MAX) throw virtioBalloonErrors.error('virtio-balloon.timer-too-big');
        if (device.realized) hooks.setPollInterval(device, seconds);
      },
    },
  ];
}
