/**
 * The balloon's part of the migration stream: vmstate_virtio_balloon_device (version 1: num_pages,
 * actual) and its two subsections, sent when the guest negotiated the feature they belong to
 * (hw/virtio/virtio-balloon.c). The generic virtio state around it (VMSTATE_VIRTIO_DEVICE:
 * status, features, queues) belongs to the virtio core.
 *
 * 5.1 to 6.1 misspelt the page-poison subsection "vitio-balloon-device/page-poison". A loader only
 * takes subsections whose name starts with the section's own (vmstate_subsection_load), so that
 * one is never read, even by the same release, and the virtio state after it misloads; 6.2 fixed
 * the name (243a9284a9).
 */
import { HotmemError } from '../../src/core/errors.js';
import { compareReleases, type Release } from '../../src/core/release.js';
import { VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_PAGE_POISON } from './features.js';
import type { VirtioBalloonRuntime } from './runtime.js';
import { FREE_PAGE_HINT_STATUS, type FreePageHintStatus } from './state.js';

/** One saved section: its name and version, its u32 fields in order, and its subsections. */
export interface VmstateSection {
  readonly name: string;
  readonly version: number;
  readonly fields: readonly { readonly name: string; readonly value: number }[];
  readonly subsections: readonly VmstateSection[];
}

const DEVICE = 'virtio-balloon-device';
const FREE_PAGE = `${DEVICE}/free-page-report`;
const pagePoisonName = (r: Release): string => (compareReleases(r, { major: 6, minor: 2 }) >= 0 ? `${DEVICE}/page-poison` : 'vitio-balloon-device/page-poison');

/** vmstate_load_state's version checks; 10.2 dropped a doubled space from the second message. */
function checkVersion(name: string, incoming: number, local: number, r: Release): void {
  if (incoming > local) {
    throw new HotmemError('vmstate.too-new', `${name}: incoming version_id ${incoming} is too new for local version_id ${local}`);
  }
  if (incoming < 1) {
    const gap = compareReleases(r, { major: 10, minor: 2 }) >= 0 ? ' ' : '  ';
    throw new HotmemError('vmstate.too-old', `${name}: incoming version_id ${incoming} is too old for local minimum version_id${gap}1`);
  }
}

function field(section: VmstateSection, name: string): number {
  const found = section.fields.find((f) => f.name === name);
  if (!found) throw new HotmemError('vmstate.field-missing', `Failed to load ${section.name}:${name}`);
  return found.value;
}

const STATUS_BY_NUMBER = new Map(Object.entries(FREE_PAGE_HINT_STATUS).map(([k, v]) => [v, k as FreePageHintStatus]));

export const VIRTIO_BALLOON_VMSTATE = {
  name: DEVICE,
  version: 1,

  /** What the source sends: the two fields, then the subsections whose `needed` holds. */
  save(runtime: VirtioBalloonRuntime): VmstateSection {
    const s = runtime.state;
    const subsections: VmstateSection[] = [];
    if (runtime.guestFeatures.has(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
      subsections.push({
        name: FREE_PAGE,
        version: 1,
        fields: [
          { name: 'free_page_hint_cmd_id', value: s.freePageHintCmdId },
          { name: 'free_page_hint_status', value: FREE_PAGE_HINT_STATUS[s.freePageHintStatus] },
        ],
        subsections: [],
      });
    }
    if (runtime.guestFeatures.has(VIRTIO_BALLOON_F_PAGE_POISON)) {
      subsections.push({ name: pagePoisonName(s.setup.release), version: 1, fields: [{ name: 'poison_val', value: s.poisonVal }], subsections: [] });
    }
    return {
      name: DEVICE,
      version: 1,
      fields: [
        { name: 'num_pages', value: s.numPages },
        { name: 'actual', value: s.actual },
      ],
      subsections,
    };
  },

  /**
   * What the destination does with it: version checks, the fields, each subsection it knows,
   * then post_load, which re-arms the stats timer. A subsection it does not know fails the load
   * (-ENOENT, reported against the enclosing field); one whose name lacks the section prefix
   * stops subsection loading and leaves the stream misaligned.
   */
  load(runtime: VirtioBalloonRuntime, section: VmstateSection): void {
    const s = runtime.state;
    const r = s.setup.release;
    if (section.name !== DEVICE) throw new HotmemError('vmstate.wrong-section', `Unknown savevm section or instance '${section.name}' 0`);
    checkVersion(DEVICE, section.version, 1, r);
    s.numPages = field(section, 'num_pages');
    s.actual = field(section, 'actual');
    for (const sub of section.subsections) {
      if (!sub.name.startsWith(DEVICE)) {
        throw new HotmemError(
          'vmstate.subsection-unread',
          `subsection '${sub.name}' does not start with '${DEVICE}': QEMU leaves it unread and the virtio state after it misloads`,
        );
      }
      checkVersion(sub.name, sub.version, 1, r);
      if (sub.name === FREE_PAGE) {
        s.freePageHintCmdId = field(sub, 'free_page_hint_cmd_id');
        // QEMU takes any u32 here; only its four statuses can have been saved.
        const status = STATUS_BY_NUMBER.get(field(sub, 'free_page_hint_status') as 0 | 1 | 2 | 3);
        if (status === undefined) throw new HotmemError('vmstate.field-invalid', `${FREE_PAGE}: free_page_hint_status is not a status QEMU saves`);
        s.freePageHintStatus = status;
      } else if (sub.name === pagePoisonName(r)) {
        s.poisonVal = field(sub, 'poison_val');
      } else {
        throw new HotmemError('vmstate.unknown-subsection', 'Failed to load virtio-balloon:virtio');
      }
    }
    runtime.postLoad();
  },
} as const;
