/** The target architectures hotmem models (KVM guests run on a host of the same architecture). */
export const ARCHES = ['x86_64', 's390x'] as const;
export type Arch = (typeof ARCHES)[number];

export function isArch(text: string): text is Arch {
  return (ARCHES as readonly string[]).includes(text);
}
