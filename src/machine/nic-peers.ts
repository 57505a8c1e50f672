/**
 * net_check_clients: once the machine exists, every NIC with no netdev behind it is reported
 * (QEMU checks only when it made no default network, as with -nodefaults). A NIC's name is its
 * device's id, or its model (the device type) numbered among the NICs of that model made before
 * it (assign_name), ids or not.
 */
import type { Warning } from '../core/errors.js';
import { backendKind } from '../qom/backend-refs.js';
import type { QomObject } from '../qom/object.js';

/** The devices' NICs without a peer, in creation order, as QEMU warns of them. */
export function nicsWithoutPeer(devices: readonly QomObject[]): Warning[] {
  const seen = new Map<string, number>();
  const warnings: Warning[] = [];
  for (const device of devices) {
    const netdev = [...device.model.view.properties(device.type)].find(([, p]) => {
      const description = p.def.description;
      return backendKind(typeof description === 'string' ? description : description?.at(-1)?.value) === 'netdev';
    });
    if (!netdev) continue;
    const index = seen.get(device.type) ?? 0;
    seen.set(device.type, index + 1);
    if (device.stored(netdev[0]) === undefined) {
      warnings.push({ code: 'net.nic-no-peer', message: `nic ${device.id ?? `${device.type}.${index}`} has no peer` });
    }
  }
  return warnings;
}
