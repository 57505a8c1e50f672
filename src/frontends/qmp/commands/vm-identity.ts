/**
 * What a management layer asks a started QEMU about the VM itself: query-name, query-uuid,
 * query-target, query-kvm and query-current-machine (libvirt's start-up and capability probes).
 */
import { NULL_UUID, VM_IDENTITY } from '../../../machine/identity.js';
import type { QmpCommand } from '../session.js';

export const VM_IDENTITY_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-name',
    args: [],
    // NameInfo's name is optional: a VM without -name answers an empty object.
    run: (ctx) => {
      const name = ctx.machine.model.services.get(VM_IDENTITY)?.name;
      return name === undefined ? {} : { name };
    },
  },
  {
    name: 'query-uuid',
    args: [],
    // qemu_uuid_unparse: lower-case hex whatever case -uuid was given in.
    run: (ctx) => ({ UUID: (ctx.machine.model.services.get(VM_IDENTITY)?.uuid ?? NULL_UUID).toLowerCase() }),
  },
  {
    name: 'query-target',
    args: [],
    run: (ctx) => ({ arch: ctx.machine.arch }),
  },
  {
    name: 'query-kvm',
    args: [],
    // present: the binary was built with KVM, which Debian does for the host's own target only
    // (qemu-system-s390x on x86_64 has no KVM accelerator); enabled: it is the one in use.
    run: (ctx) => ({ enabled: ctx.machine.accel === 'kvm', present: ctx.machine.arch === ctx.machine.process.host.arch.name }),
  },
  {
    name: 'query-current-machine',
    args: [],
    // qemu_register_wakeup_support: only an ACPI device lets the guest wake from suspend.
    run: (ctx) => ({ 'wakeup-suspend-support': ctx.machine.family.hasAcpiDevice(ctx.machine.object) }),
  },
];
