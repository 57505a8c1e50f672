/**
 * Guest-physical memory as a guest sees it: reads and writes that the machine routes to the
 * backend mapping behind the address (initial RAM or a memory device), where the host model
 * decides what each access costs. A guest never touches page tables itself.
 */

/** What became of a guest access. */
export type GuestAccess =
  | { readonly kind: 'done'; readonly rssDelta: number }
  /** The page is missing in a userfaultfd-registered range: the vCPU waits (postcopy). */
  | { readonly kind: 'blocked'; readonly gpa: number }
  /** No RAM at this address: the access went to unassigned memory (reads zero, writes dropped). */
  | { readonly kind: 'inaccessible'; readonly gpa: number }
  | { readonly kind: 'fault'; readonly gpa: number; readonly reason: string };

export interface GuestMemoryPort {
  read(gpa: number, length: number): GuestAccess;
  /** Writes data; `tag` identifies the content so migrations can check it arrived intact. */
  write(gpa: number, length: number, tag: number): GuestAccess;
  /** Writes zeros (a guest clearing pages it frees, e.g. with init_on_free). */
  zero(gpa: number, length: number): GuestAccess;
}
