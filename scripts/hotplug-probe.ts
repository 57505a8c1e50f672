/**
 * DeviceClass.hotpluggable of each listed device type, asked of a real binary by device_add on a
 * running machine, in a way that creates no device:
 *
 * - Before 10.0 qdev_get_device_class refuses a type that is not hotpluggable (`Parameter
 *   'driver' expects (a) pluggable device type`) before it looks for the bus, so `bus=` naming no
 *   bus tells the two apart for every type (`Bus '...' not found` for a hotpluggable one).
 * - From 10.0 (Odaki's "hw/core: Unify hotplug decision logic") the check is qdev_hotplug_allowed's,
 *   once the device is created on the bus device_add found: `Device 'X' does not support
 *   hotplugging` for one that is not; any later answer (the bus's own hotplug refusal, or the
 *   unknown property the probe sets) says it is. A type whose bus the probing machine lacks, or
 *   that the machine refuses earlier (a sysbus type it does not allow), cannot be asked: it is
 *   left out, and hotmem then does not hotplug it.
 */
import type { Arch } from '../src/core/arch.js';
import type { DeviceListing } from '../src/qom/device-data/format.js';
import { QmpError, QmpSession } from '../test/conformance/qemu.js';

/** The machine the probe runs, with controllers so that USB, SCSI, HDA, IDE and virtio-serial devices find a bus. */
const PROBE_MACHINE: Readonly<Record<Arch, readonly string[]>> = {
  x86_64: [
    '-machine',
    'pc,usb=on',
    '-device',
    'virtio-scsi-pci',
    '-device',
    'virtio-serial-pci',
    '-device',
    'intel-hda',
    '-device',
    'ich9-ahci',
    '-device',
    'usb-ccid',
  ],
  s390x: ['-machine', 's390-ccw-virtio', '-device', 'virtio-scsi-ccw', '-device', 'virtio-serial-ccw'],
};

const NO_BUS = 'x-hotmem-probe-no-bus';
const NO_PROPERTY = 'x-hotmem-probe';

/** What one device_add says of the type's class, undefined when it does not tell. */
function verdict(name: string, classCheckFirst: boolean, desc: string): boolean | undefined {
  if (classCheckFirst) {
    if (/^Parameter 'driver' expects (a )?pluggable device type$/.test(desc)) return false;
    return desc === `Bus '${NO_BUS}' not found` ? true : undefined;
  }
  if (desc === `Device '${name}' does not support hotplugging`) return false;
  const later = [/^Bus '.*' does not support hotplugging$/, /^Device '.*' can not be hotplugged on this machine$/];
  if (later.some((r) => r.test(desc)) || desc === `Property '${name}.${NO_PROPERTY}' not found`) return true;
  return undefined;
}

/**
 * The flag of every listed device the binary can be asked about. `classCheckFirst`: the release
 * checks the class in qdev_get_device_class (before 10.0).
 */
export async function probeHotpluggable(
  binary: string,
  arch: Arch,
  listed: readonly DeviceListing[],
  classCheckFirst: boolean,
): Promise<Record<string, boolean>> {
  const start = () => QmpSession.start(binary, PROBE_MACHINE[arch], { timeoutMs: 30_000 });
  let session = await start();
  const flags: Record<string, boolean> = {};
  try {
    for (const { name } of listed) {
      const args = classCheckFirst ? { driver: name, bus: NO_BUS } : { driver: name, [NO_PROPERTY]: '1' };
      const error = await session.execute('device_add', args).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error === undefined) throw new Error(`${name}: device_add ${JSON.stringify(args)} created a device`);
      if (!(error instanceof QmpError)) {
        // A type whose module does not load in this root ends QEMU: it cannot be asked.
        await session.kill().catch(() => undefined);
        session = await start();
        continue;
      }
      const flag = verdict(name, classCheckFirst, error.desc);
      if (flag !== undefined) flags[name] = flag;
    }
  } finally {
    await session.quit();
  }
  return flags;
}
