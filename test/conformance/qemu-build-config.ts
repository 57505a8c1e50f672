/**
 * Which build features (compat/build-features.yaml) an installed qemu-system binary was built
 * with. Each feature is told by a QOM type that only that Kconfig switch compiles in, read with
 * qom-list-types, so the machine list under test is not used to predict itself. ISAPC is the one
 * exception: it compiles nothing but the machine, so its probe is the machine's own QOM type.
 */
import type { Arch } from '../../src/core/arch.js';
import { buildConfig, type BuildConfig, type CompatData } from '../../src/machine/compat-data/index.js';
import { QmpSession } from './qemu.js';

const PROBES: Readonly<Record<string, { readonly type: string; readonly why: string }>> = {
  I440FX: { type: 'i440FX-pcihost', why: 'hw/pci-host/i440fx.c: CONFIG_PCI_I440FX, selected on x86 by I440FX only' },
  Q35: { type: 'mch', why: 'hw/pci-host/q35.c: CONFIG_PCI_EXPRESS_Q35, selected by Q35 only' },
  ISAPC: { type: 'isapc-machine', why: 'the machine itself: ISAPC builds nothing else' },
  MICROVM: { type: 'acpi-ged', why: 'hw/acpi/generic_event_device.c: CONFIG_ACPI_HW_REDUCED, selected on x86 by MICROVM only' },
  NITRO_ENCLAVE: { type: 'virtio-nsm-device', why: 'hw/virtio/virtio-nsm.c: CONFIG_VIRTIO_NSM, selected by NITRO_ENCLAVE only' },
  XEN: { type: 'xen-accel', why: 'accel/xen/xen-all.c: built with CONFIG_XEN' },
  NITRO: { type: 'nitro-accel', why: 'accel/nitro/nitro-accel.c: the accelerator the nitro machine is built with (11.0)' },
  MULTIPROCESS: { type: 'x-pci-proxy-dev', why: 'hw/remote/proxy.c: built with CONFIG_MULTIPROCESS' },
  S390_CCW_VIRTIO: { type: 's390-ccw-machine', why: 'the abstract parent of the versioned machines (hw/s390x/s390-virtio-ccw.c)' },
  S390X_LEGACY_CPUS: { type: 'z900-s390x-cpu', why: 'target/s390x/cpu_models.c: the z900 model is guarded by CONFIG_S390X_LEGACY_CPUS' },
};

/** The QOM type that tells whether `feature` is built in. */
export function buildFeatureProbe(feature: string): { readonly type: string; readonly why: string } {
  const probe = PROBES[feature];
  if (!probe) throw new Error(`no probe for build feature ${feature}: add one to test/conformance/qemu-build-config.ts`);
  return probe;
}

/** The build config of `binary`, asked over QMP (qom-list-types, abstract types included). */
export async function probeBuildConfig(binary: string, arch: Arch, data: CompatData): Promise<BuildConfig> {
  const session = await QmpSession.start(binary, ['-machine', 'none']);
  try {
    const types = await session.execute<readonly { readonly name: string }[]>('qom-list-types', { abstract: true });
    const names = new Set(types.map((t) => t.name));
    return buildConfig(
      ...data
        .buildFeatures(arch)
        .filter((f) => names.has(buildFeatureProbe(f.name).type))
        .map((f) => f.name),
    );
  } finally {
    await session.quit();
  }
}
