/**
 * `balloon` and `query-balloon` (system/balloon.c, qapi/machine.json). Both need the machine's
 * balloon handler, which a realized virtio-balloon registers; without one they fail with
 * DeviceNotActive. `balloon` takes the logical VM size the guest should have, not the balloon
 * size; it only asks, and the guest answers later through BALLOON_CHANGE. QEMU checks
 * kvm_has_sync_mmu() first, which every KVM host hotmem models has.
 */
import { compareReleases } from '../../../core/release.js';
import { BALLOON_HANDLER, type BalloonHandler } from '../../../../devices/virtio-balloon/balloon-handler.js';
import { QmpError } from '../errors.js';
import type { QmpCommand, QmpContext } from '../session.js';

function haveBalloon(ctx: QmpContext): BalloonHandler {
  const handler = ctx.machine.model.services.get(BALLOON_HANDLER);
  if (!handler) throw new QmpError('DeviceNotActive', 'No balloon device has been activated');
  return handler;
}

export const BALLOON_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-balloon',
    args: [],
    run: (ctx) => ({ actual: haveBalloon(ctx).actual() }),
  },
  {
    name: 'balloon',
    args: [{ name: 'value', type: 'int' }],
    run: (ctx, args) => {
      const handler = haveBalloon(ctx);
      const value = args['value'] as number;
      if (value <= 0) {
        // QERR_INVALID_PARAMETER_VALUE; 8.2 renamed the C parameter, and the message with it.
        const name = compareReleases(ctx.machine.release, { major: 8, minor: 2 }) >= 0 ? 'value' : 'target';
        throw new QmpError('GenericError', `Parameter '${name}' expects a size`);
      }
      handler.toTarget(value);
      return {};
    },
  },
];
