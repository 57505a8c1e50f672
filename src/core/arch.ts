/** The target architectures hotmem models (KVM guests run on a host of the same architecture). */
export const ARCHES = ['x86_64', 's390x'] as const;
export type Arch = (typeof ARCHES)[number];

export function isArch(text: string): text is Arch {
  return (ARCHES as readonly string[]).includes(text);
}

/** Each target's byte order (TARGET_BIG_ENDIAN), what virtio uses for a legacy driver and reports as device-endian. */
export const TARGET_ENDIAN: Readonly<Record<Arch, 'little' | 'big'>> = { x86_64: 'little', s390x: 'big' };
