/**
 * Why a memory device ended where it did: for each virtio-mem device a guest refused, could not
 * bring to its requested size, or left with blocks plugged, one sentence naming the cause (the
 * offered feature and the property behind it, or the guest's limit), where the property's value
 * came from (the object model's provenance), and what would change the outcome (the property's
 * other value, or the guest release that lifts the limit, from LINUX_FACTS).
 */
import { VIRTIO_MEM_RUNTIME } from '../../devices/virtio-mem/runtime-key.js';
import { sizeText } from '../core/units.js';
import { LINUX_FACTS, kernelVersionName, type LinuxFeature } from '../guest/linux/kernel-version.js';
import type { LinuxVirtioMemDriver } from '../guest/linux/virtio-mem/driver.js';
import type { ProbeFailure } from '../guest/linux/virtio-mem/probe.js';
import type { LinuxGuest } from '../guest/linux-guest.js';
import type { Machine } from '../machine/machine.js';
import type { QomObject } from '../qom/object.js';
import { describeOrigin } from '../qom/provenance.js';
import { FeatureSet, featureNames } from '../virtio/feature-set.js';
import { VIRTIO_MEM_FEATURE_CAUSES } from './feature-causes.js';

export type WhyOutcome =
  /** The guest did not bind its driver: nothing is plugged. */
  | 'refused'
  /** Nothing drives the device: the definition runs no guest. */
  | 'no-guest'
  /** Bound, but below the requested size. */
  | 'short'
  /** Bound, but above the requested size: blocks stay plugged. */
  | 'left-plugged';

export interface Why {
  /** The device's id (or canonical path when it has none). */
  readonly device: string;
  readonly outcome: WhyOutcome;
  readonly text: string;
}

interface Subject {
  readonly machine: Machine;
  /** The virtio-mem object that holds the properties (a proxy's virtio-backend). */
  readonly backend: QomObject;
  readonly name: string;
  readonly plugged: number;
  readonly requested: number;
}

const linuxName = (guest: LinuxGuest) => `Linux ${kernelVersionName(guest.kernel)}`;
const since = (fact: LinuxFeature) => LINUX_FACTS[fact].since;

/** `unplugged-inaccessible=on (the class default of QEMU 10.0)`. */
function propertyWithOrigin(s: Subject, property: string): string {
  const model = s.machine.model;
  const value = model.getProperty(s.backend, property);
  const shown = typeof value === 'boolean' ? (value ? 'on' : 'off') : typeof value === 'number' ? sizeText(value) : value;
  return `${property}=${shown} (${describeOrigin(model.originOf(s.backend, property), property, model.env.release)})`;
}

const sizes = (s: Subject) => `${sizeText(s.plugged)} plugged of ${sizeText(s.requested)} requested`;

function refusal(s: Subject, guest: LinuxGuest, driver: LinuxVirtioMemDriver, failure: ProbeFailure): string {
  const who = `${s.name}: the ${linuxName(guest)} guest`;
  switch (failure.kind) {
    case 'features-refused': {
      const runtime = s.backend.slots.get(VIRTIO_MEM_RUNTIME);
      const offered = runtime?.state.setup.deviceFeatures ?? FeatureSet.EMPTY;
      const refused = `${who} refused the device ("virtio: device refuses features: ${failure.status.toString(16)}"), so nothing can be plugged`;
      const cause = VIRTIO_MEM_FEATURE_CAUSES.find((c) => offered.has(c.feature) && !failure.proposed.has(c.feature));
      if (!cause) return `${refused}.`;
      const feature = featureNames(FeatureSet.of(cause.feature), cause.names).join(' ');
      return (
        `${refused}: the device offers ${feature} because ${propertyWithOrigin(s, cause.property)}, and Linux accepts it from ${since(cause.linux)} on; ` +
        `${cause.property}=${cause.withoutIt} or a guest from ${since(cause.linux)} on would let it plug.`
      );
    }
    case 'no-driver': {
      const fact = `virtio-mem-${s.machine.arch}` as const;
      return (
        `${who} has no virtio-mem driver for ${s.machine.arch} (Linux has one there from ${since(fact)} on), so nothing can be plugged; ` +
        `a guest from ${since(fact)} on would drive it.`
      );
    }
    case 'init-failed':
      if (failure.reason === 'kdump-kernel') {
        return `${who} is a kdump kernel, where virtio-mem binds from ${since('kdump-mode')} on, so nothing can be plugged.`;
      }
      return (
        `${who} failed to probe the device, so nothing can be plugged: ${propertyWithOrigin(s, 'block-size')} is bigger than its ` +
        `${sizeText(driver.rules.arch.defaultMemoryBlockSize)} memory block, which Linux handles from ${since('big-block-mode')} on (Big Block Mode); ` +
        `block-size=${sizeText(driver.rules.arch.defaultMemoryBlockSize)} or less, or a guest from ${since('big-block-mode')} on, would let it plug.`
      );
    default: {
      const exhaustive: never = failure;
      return exhaustive;
    }
  }
}

/** The bound driver's side: why it stopped short of, or above, the requested size. */
function boundShortfall(s: Subject, guest: LinuxGuest, driver: LinuxVirtioMemDriver): string | undefined {
  const who = `the ${linuxName(guest)} driver`;
  const state = driver.state();
  switch (state.kind) {
    case 'broken':
      return `${s.name}: ${sizes(s)}: ${who} marked the device broken after an unexpected ${state.rc} and does nothing more until the guest reboots.`;
    case 'hung':
      return `${s.name}: ${sizes(s)}: ${who} waits forever for the answer to a request the device dropped.`;
    case 'kdump':
      return `${s.name}: ${sizes(s)}: the guest is a kdump kernel, whose driver only reads the device and never plugs or unplugs.`;
    case 'hotplug': {
      const worker = driver.worker();
      const retry =
        worker.retryTimerDueAt === undefined
          ? 'it tries again on the next change of the device or of guest memory'
          : `it retries on its timer (every ${worker.retryTimerMs / 1000} s at most)`;
      const left = sizeText(Math.abs(s.plugged - s.requested));
      const mode = state.mode.toUpperCase();
      if (s.plugged < s.requested) return `${s.name}: ${sizes(s)}: ${who} (${mode}) could not add the remaining ${left}; ${retry}.`;
      const stuck = `${s.name}: ${sizes(s)}: ${who} (${mode}) could not unplug the remaining ${left} because the guest still uses memory there that it cannot migrate away`;
      return pluggedInKernelZone(driver)
        ? `${stuck}, in memory onlined to ZONE_NORMAL${onlinedBy(guest)}, where the kernel's own unmovable allocations (struct pages, slab, ` +
            `page tables) land and stay; ${retry}, and memory onlined movable (memhp_default_state=online_movable) would hold none of them.`
        : `${stuck}; ${retry}, so freeing that memory in the guest would let it unplug.`;
    }
    case 'unprobed':
    case 'not-bound':
      return undefined;
    default: {
      const exhaustive: never = state;
      return exhaustive;
    }
  }
}

/** Whether some of what the driver keeps plugged lies in memory blocks online in a kernel zone. */
function pluggedInKernelZone(driver: LinuxVirtioMemDriver): boolean {
  const kernelZone = driver.memoryBlocks().filter((b) => b.state.kind === 'online' && b.state.zone === 'kernel');
  return driver.pluggedRanges().some((p) => kernelZone.some((b) => p.start < b.range.start + b.range.length && b.range.start < p.start + p.length));
}

/** The guest's auto-online policy, where it is the one that puts new memory in a kernel zone. */
function onlinedBy(guest: LinuxGuest): string {
  const policy = guest.options.onlinePolicy;
  return policy === 'online' || policy === 'online_kernel' ? ` (memhp_default_state=${policy})` : '';
}

/** The explanation of every virtio-mem device whose outcome needs one, in address order. */
export function explainMemoryDevices(machine: Machine, guest: LinuxGuest | undefined): Why[] {
  const whys: Why[] = [];
  for (const proxy of machine.memoryDevices()) {
    const backend = proxy.child('virtio-backend');
    const runtime = backend?.slots.get(VIRTIO_MEM_RUNTIME);
    if (!backend || !runtime) continue;
    const s: Subject = { machine, backend, name: proxy.id ?? proxy.path(), plugged: runtime.pluggedSize(), requested: runtime.requestedSize() };
    const driver = guest?.driverOf(proxy);
    const state = driver?.state();
    if (guest && driver && state?.kind === 'not-bound') {
      whys.push({ device: s.name, outcome: 'refused', text: refusal(s, guest, driver, state.failure) });
      continue;
    }
    if (s.plugged === s.requested) continue;
    if (!guest) {
      whys.push({
        device: s.name,
        outcome: 'no-guest',
        text: `${s.name}: ${sizes(s)}: the definition runs no guest, and only a guest's driver plugs and unplugs memory; a guest would.`,
      });
      continue;
    }
    const text = driver ? boundShortfall(s, guest, driver) : undefined;
    if (text !== undefined) whys.push({ device: s.name, outcome: s.plugged > s.requested ? 'left-plugged' : 'short', text });
  }
  return whys;
}
