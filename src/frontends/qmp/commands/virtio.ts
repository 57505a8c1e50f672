/** x-query-virtio and x-query-virtio-status (7.2+). */
import { compareReleases } from '../../../core/release.js';
import { VIRTIO_STATUS, virtioStatusReply } from '../../../virtio/qmp-status.js';
import { QmpError } from '../errors.js';
import type { QmpContext } from '../session.js';
import type { QmpCommand } from '../session.js';

function virtioDevices(ctx: QmpContext) {
  return ctx.machine.model
    .objectsOfType('virtio-device')
    .filter((d) => d.realized)
    .flatMap((d) => {
      const view = ctx.machine.model.view.implementation(d.type, VIRTIO_STATUS)?.(d);
      return view ? [{ device: d, view }] : [];
    });
}

/** The x-query-virtio family arrived in 7.2. */
const since72 = (ctx: QmpContext) => compareReleases(ctx.machine.release, { major: 7, minor: 2 }) >= 0;

/**
 * 8.2 ("qmp: remove virtio_list, search QOM tree instead", b532c684e0) walks the QOM tree
 * instead of a list of realized devices: it refuses to list nothing and names what a path must be.
 */
const searchesQomTree = (ctx: QmpContext) => compareReleases(ctx.machine.release, { major: 8, minor: 2 }) >= 0;

const notAVirtioDevice = (ctx: QmpContext, path: string): string =>
  searchesQomTree(ctx) ? `Path ${path} is not a realized VirtIODevice` : `Path ${path} is not a VirtIODevice`;

export const VIRTIO_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'x-query-virtio',
    args: [],
    available: since72,
    // Each device is prepended to the list: 7.2 walks virtio_list in realize order, so the newest
    // comes first. 8.2's QOM walk follows GLib hash-table order of child names, which hotmem does
    // not model; it keeps newest first there too (a known difference, test/conformance).
    run: (ctx) => {
      const found = virtioDevices(ctx)
        .map(({ device, view }) => ({ name: view.name, path: device.path() }))
        .reverse();
      if (found.length === 0 && searchesQomTree(ctx)) throw new QmpError('GenericError', 'No virtio devices found');
      return found;
    },
  },
  {
    name: 'x-query-virtio-status',
    args: [{ name: 'path', type: 'str' }],
    available: since72,
    run: (ctx, args) => {
      const path = args['path'] as string;
      const found = virtioDevices(ctx).find(({ device }) => device.path() === path);
      if (!found) throw new QmpError('GenericError', notAVirtioDevice(ctx, path));
      return virtioStatusReply(ctx.machine.release, ctx.machine.arch, found.view, ctx.machine.running);
    },
  },
];
