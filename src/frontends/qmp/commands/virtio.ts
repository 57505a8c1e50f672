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

export const VIRTIO_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'x-query-virtio',
    args: [],
    available: since72,
    run: (ctx) => virtioDevices(ctx).map(({ device, view }) => ({ name: view.name, path: device.path() })),
  },
  {
    name: 'x-query-virtio-status',
    args: [{ name: 'path', type: 'str' }],
    available: since72,
    run: (ctx, args) => {
      const path = args['path'] as string;
      const found = virtioDevices(ctx).find(({ device }) => device.path() === path);
      if (!found) throw new QmpError('GenericError', `Path ${path} is not a VirtIODevice`);
      return virtioStatusReply(ctx.machine.release, ctx.machine.arch, found.view, ctx.machine.running);
    },
  },
];
