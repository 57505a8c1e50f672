/**
 * Why the balloon ended where it did, one sentence each: a feature the device offers that the
 * guest's driver does not take (the property that put it on offer, where its value came from, and
 * the guest release that takes it, from BALLOON_LINUX_FACTS), and a balloon that holds less or
 * more than the last target asks for (no guest, no free memory left in the guest, a device that
 * stopped answering) with what would change it.
 */
import { BALLOON_HANDLER } from '../../devices/virtio-balloon/balloon-handler.js';
import {
  VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
  VIRTIO_BALLOON_F_FREE_PAGE_HINT,
  VIRTIO_BALLOON_F_REPORTING,
  VIRTIO_BALLOON_FEATURE_NAMES,
} from '../../devices/virtio-balloon/features.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../devices/virtio-balloon/index.js';
import { GiB, MiB } from '../core/units.js';
import { BALLOON_LINUX_FACTS, GUEST_PAGE_SIZE, type BalloonLinuxFeature } from '../guest/balloon/kernel-facts.js';
import { kernelVersionName } from '../guest/linux/kernel-version.js';
import type { LinuxGuest } from '../guest/linux-guest.js';
import type { Machine } from '../machine/machine.js';
import type { QomObject } from '../qom/object.js';
import { describeOrigin } from '../qom/provenance.js';
import { FeatureSet, featureNames, type FeatureBit } from '../virtio/feature-set.js';
import type { Why } from './explain.js';

/** Offered features whose absence changes what the balloon does for the host. */
const BALLOON_FEATURE_CAUSES: readonly { readonly feature: FeatureBit; readonly property: string; readonly fact: BalloonLinuxFeature; readonly use: string }[] =
  [
    { feature: VIRTIO_BALLOON_F_REPORTING, property: 'free-page-reporting', fact: 'free-page-reporting', use: 'report its free memory to the host' },
    { feature: VIRTIO_BALLOON_F_DEFLATE_ON_OOM, property: 'deflate-on-oom', fact: 'deflate-on-oom', use: 'deflate when it runs out of memory' },
    { feature: VIRTIO_BALLOON_F_FREE_PAGE_HINT, property: 'free-page-hint', fact: 'free-page-hint', use: 'hint free memory to a migration' },
  ];

/** The balloon's explanations, when the machine has one. */
export function explainBalloon(machine: Machine, guest: LinuxGuest | undefined): Why[] {
  const device = machine.model.services.get(BALLOON_HANDLER)?.owner;
  const runtime = device?.slots.get(VIRTIO_BALLOON_RUNTIME);
  if (!device || !runtime) return [];
  const name = device.parent?.id ?? device.id ?? device.path();
  const held = runtime.state.actual * GUEST_PAGE_SIZE;
  const asked = runtime.state.numPages * GUEST_PAGE_SIZE;
  const target = runtime.env.vmRamSize() - asked;
  const sizes = `the balloon holds ${exact(held)} of the ${exact(asked)} that target ${exact(target)} asks for`;
  if (!guest?.balloon) {
    return held === asked
      ? []
      : [
          {
            device: name,
            outcome: 'no-guest',
            text: `${name}: ${sizes}: the definition runs no guest, and only a guest's balloon driver fills it; a guest would.`,
          },
        ];
  }
  const who = `the Linux ${kernelVersionName(guest.kernel)} guest`;
  const whys: Why[] = [];
  const acked = runtime.guestFeatures;
  for (const cause of BALLOON_FEATURE_CAUSES) {
    if (!runtime.hostFeatures.has(cause.feature) || acked.has(cause.feature) || acked.isEmpty()) continue;
    const since = BALLOON_LINUX_FACTS[cause.fact].since;
    const feature = featureNames(FeatureSet.of(cause.feature), VIRTIO_BALLOON_FEATURE_NAMES).join(' ');
    whys.push({
      device: name,
      outcome: 'refused',
      text:
        `${name}: ${who} does not take ${feature}, which the device offers because ${propertyWithOrigin(device, cause.property)}: ` +
        `Linux's balloon driver takes it from ${since} on, so the guest does not ${cause.use}; a guest from ${since} on would.`,
    });
  }
  if (held === asked) return whys;
  const driver = guest.balloon.driver;
  const outcome = held < asked ? 'short' : 'left-plugged';
  if (driver.stuck) {
    whys.push({
      device: name,
      outcome,
      text: `${name}: ${sizes}: ${who}'s driver waits for ever for the device to take back a buffer, so the balloon stays as it is.`,
    });
  } else if (held < asked && guest.balloon.pages.memFree() < GUEST_PAGE_SIZE) {
    whys.push({
      device: name,
      outcome,
      text:
        `${name}: ${sizes}: ${who} has no free memory left to give ("Out of puff!", retried every 200 ms); ` +
        `a target of ${exact(runtime.env.vmRamSize() - held)} or more, or memory freed in the guest, would let it get there.`,
    });
  }
  return whys;
}

/** Balloon sizes are whole 4 KiB pages: shown exactly, in the largest unit that divides them. */
function exact(bytes: number): string {
  if (bytes === 0) return '0 B';
  if (bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  return `${bytes / 1024} KiB`;
}

/** `free-page-reporting=on (set explicitly)`. */
function propertyWithOrigin(device: QomObject, property: string): string {
  const model = device.model;
  const value = model.getProperty(device, property);
  return `${property}=${value === true ? 'on' : 'off'} (${describeOrigin(model.originOf(device, property), property, model.env.release)})`;
}
