/**
 * The parts of a guest kernel's command line (-append) the guest model reads: how hotplugged
 * memory is onlined (memhp_default_state, mm/memory_hotplug.c). Other parameters are the guest's
 * own business and ignored, as unknown ones are by the kernel.
 */
import type { LinuxGuestOptions } from '../linux-guest.js';
import type { OnlinePolicy } from './virtio-mem/hotplug-core.js';

const ONLINE_POLICIES: readonly OnlinePolicy[] = ['offline', 'online', 'online_kernel', 'online_movable'];

export function kernelParameters(commandLine: string): Pick<LinuxGuestOptions, 'onlinePolicy'> {
  let onlinePolicy: OnlinePolicy | undefined;
  for (const word of commandLine.split(/\s+/)) {
    const [name, value] = word.split('=', 2);
    // The last one counts; a value the kernel does not know leaves the default, as setup_memhp_default_state does.
    if (name === 'memhp_default_state') onlinePolicy = ONLINE_POLICIES.find((p) => p === value) ?? onlinePolicy;
  }
  return onlinePolicy === undefined ? {} : { onlinePolicy };
}
