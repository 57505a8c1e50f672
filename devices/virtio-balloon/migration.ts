/**
 * The balloon's device state in the migration stream: VMSTATE_VIRTIO_DEVICE around
 * vmstate_virtio_balloon_device (num_pages, actual and the free-page-report and page-poison
 * subsections), with the generic virtio part (features, status) checked and restored by the
 * migration layer like every virtio device's.
 */
import { key } from '../../src/core/keys.js';
import type { FreePageHint, FreePageHinting } from '../../src/migration/free-page-hints.js';
import { applyVirtioDevice, checkVirtioDevice, saveVirtioDevice, VIRTIO_FIELD, type VirtioQueues } from '../../src/migration/virtio-device.js';
import { queueSizes } from '../../src/virtio/queue-sizes.js';
import { MIG_PRI, vmSection, vmStruct, vmU32, type VmReader, type VmSection, type VmStateDescription } from '../../src/migration/vmstate.js';
import type { QomObject } from '../../src/qom/object.js';
import { VIRTIO_BALLOON_RUNTIME } from './runtime-key.js';
import type { VirtioBalloonRuntime } from './runtime.js';
import { VIRTIO_BALLOON_VMSTATE, type VmstateSection } from './vmstate.js';

const DEVICE = 'virtio-balloon-device';

/** The balloon's queues (queues.ts) as its release runs them. */
const queuesOf = (rt: VirtioBalloonRuntime): VirtioQueues => {
  const release = rt.state.setup.release;
  return {
    release,
    sizes: queueSizes(
      release,
      rt.state.setup.queues.map((q) => q.size),
    ),
  };
};

function runtimeOf(obj: QomObject): VirtioBalloonRuntime {
  const runtime = obj.slots.get(VIRTIO_BALLOON_RUNTIME);
  if (!runtime) throw new Error(`internal: ${obj.path()} is not a realized balloon`);
  return runtime;
}

/** The balloon's own description as the stream's named fields. */
function toStream(section: VmstateSection): VmSection {
  const fields = Object.fromEntries(section.fields.map((f) => [f.name, vmU32(f.value)]));
  return vmSection(section.name, section.version, fields, section.subsections.map(toStream));
}

/** Field names each section of the description has, for reading it back by name. */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  [DEVICE]: ['num_pages', 'actual'],
  [`${DEVICE}/free-page-report`]: ['free_page_hint_cmd_id', 'free_page_hint_status'],
  [`${DEVICE}/page-poison`]: ['poison_val'],
  'vitio-balloon-device/page-poison': ['poison_val'],
};

function fromStream(reader: VmReader): VmstateSection {
  const names = FIELDS[reader.name] ?? [];
  return {
    name: reader.name,
    version: reader.section.version,
    fields: names.map((name) => ({ name, value: reader.u32(name) })),
    subsections: reader.section.subsections.map((sub) => fromStream(reader.subsection(sub.name)!)),
  };
}

export const VIRTIO_BALLOON_SECTIONS: readonly VmStateDescription[] = [
  {
    name: 'virtio-balloon',
    version: 1,
    minVersion: 1,
    priority: MIG_PRI.DEFAULT,
    earlySetup: false,
    registered: () => true,
    save(obj) {
      const rt = runtimeOf(obj);
      return vmSection('virtio-balloon', 1, { [VIRTIO_FIELD]: vmStruct(saveVirtioDevice(rt, toStream(VIRTIO_BALLOON_VMSTATE.save(rt)), queuesOf(rt))) });
    },
    check(obj, incoming) {
      const rt = runtimeOf(obj);
      checkVirtioDevice(
        rt,
        incoming.struct(VIRTIO_FIELD),
        { name: 'virtio-balloon', device: DEVICE },
        (device) => {
          // Reading every field checks it is there; the subsections' names are checked on apply.
          fromStream(device);
        },
        queuesOf(rt),
      );
    },
    apply(obj, incoming) {
      const rt = runtimeOf(obj);
      return applyVirtioDevice(rt, incoming.struct(VIRTIO_FIELD), DEVICE, obj.path(), (device) => {
        VIRTIO_BALLOON_VMSTATE.load(rt, fromStream(device));
        return [];
      });
    },
  },
];

/** Hints the guest reported since the migration last asked, per balloon. */
const HINTS = key<{ readonly hints: FreePageHint[]; readonly stop: () => void }>('balloon free page hints');

/**
 * virtio-balloon as the free page hinting device of precopy (virtio_balloon_free_page_hint_notify):
 * each round asks the guest for free pages, whose ranges the migration then skips.
 */
export const VIRTIO_BALLOON_HINTING: FreePageHinting = {
  roundStarted(obj) {
    const rt = runtimeOf(obj);
    if (!obj.slots.get(HINTS)) {
      const hints: FreePageHint[] = [];
      const stop = rt.onFreePageHint((h) => hints.push({ idstr: h.block.idstr, offset: h.offset, length: h.length }));
      obj.slots.set(HINTS, { hints, stop });
    }
    rt.precopyNotify('after-bitmap-sync', { vmRunning: true, postcopyRam: false });
  },
  takeHints(obj) {
    const collected = obj.slots.get(HINTS);
    return collected ? collected.hints.splice(0) : [];
  },
  stopped(obj) {
    runtimeOf(obj).precopyNotify('complete', { vmRunning: true, postcopyRam: false });
    obj.slots.get(HINTS)?.stop();
    obj.slots.delete(HINTS);
  },
};
