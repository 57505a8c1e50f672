/** Every QMP command hotmem implements. */
import type { QmpCommand } from '../session.js';
import { ACPI_OSPM_COMMANDS } from './acpi-ospm.js';
import { BALLOON_COMMANDS } from './balloon.js';
import { CPU_COMMANDS } from './cpus.js';
import { DEVICE_COMMANDS } from './devices.js';
import { hmpCommands } from './hmp.js';
import { MACHINE_COMMANDS } from './machine.js';
import { MIGRATION_COMMANDS } from './migration.js';
import { OBJECT_QUERY_COMMANDS } from './objects.js';
import { PROBING_COMMANDS } from './probing.js';
import { QOM_COMMANDS } from './qom.js';
import { VIRTIO_COMMANDS } from './virtio.js';
import { VM_IDENTITY_COMMANDS } from './vm-identity.js';

export const QMP_COMMANDS: readonly QmpCommand[] = [
  ...MACHINE_COMMANDS,
  ...CPU_COMMANDS,
  ...QOM_COMMANDS,
  ...DEVICE_COMMANDS,
  ...VIRTIO_COMMANDS,
  ...BALLOON_COMMANDS,
  ...MIGRATION_COMMANDS,
  ...PROBING_COMMANDS,
  ...VM_IDENTITY_COMMANDS,
  ...OBJECT_QUERY_COMMANDS,
  ...ACPI_OSPM_COMMANDS,
  ...hmpCommands(() => QMP_COMMANDS),
];
