/**
 * Errors the host model throws. All of them are caller bugs — a request Linux would refuse
 * with EINVAL before doing anything, or one the model cannot answer. Situations a guest or a
 * host resource causes (a missing page under userfaultfd, an empty hugetlb pool, MADV_REMOVE on
 * private memory) are outcomes with an errno, never exceptions.
 */
import { defineErrors } from '../core/errors.js';
import { hex } from '../core/units.js';

export const hostErrors = defineErrors({
  'host.unknown-arch': (a: { name: string; known: readonly string[] }) => `unknown host architecture '${a.name}' (known: ${a.known.join(', ')})`,
  'host.unknown-kernel': (a: { name: string }) => `unknown host kernel '${a.name}': expected a name such as linux-6.1 or a version such as 6.10.3`,
  'host.kernel-too-old': (a: { name: string; oldest: string }) => `host kernel '${a.name}' is older than the oldest modelled kernel ${a.oldest}`,
  'host.bad-size': (a: { what: string; size: number; pageSize: number }) =>
    `${a.what} ${hex(a.size)} must be a non-zero multiple of the page size ${hex(a.pageSize)}`,
  'host.hugetlb-size-unsupported': (a: { pageSize: number; arch: string; sizes: readonly number[] }) =>
    `hugetlb page size ${hex(a.pageSize)} is not supported on ${a.arch} (supported: ${a.sizes.map((s) => hex(s)).join(', ')})`,
  'host.misaligned': (a: { what: string; value: number; alignment: number; mapping: string }) =>
    `${a.what} ${hex(a.value)} in mapping '${a.mapping}' is not aligned to ${hex(a.alignment)}`,
  'host.out-of-range': (a: { offset: number; length: number; size: number; mapping: string }) =>
    `range ${hex(a.offset)}+${hex(a.length)} is outside mapping '${a.mapping}' of size ${hex(a.size)}`,
  'host.object-range': (a: { offset: number; length: number; size: number; object: string }) =>
    `range ${hex(a.offset)}+${hex(a.length)} is outside '${a.object}' of size ${hex(a.size)}`,
  'host.object-page-size': (a: { object: string; pageSize: number; wanted: number }) => `'${a.object}' has page size ${hex(a.pageSize)}, not ${hex(a.wanted)}`,
  'host.unmapped': (a: { mapping: string }) => `mapping '${a.mapping}' is no longer mapped`,
  'host.process-exited': (a: { process: string; pid: number }) => `process ${a.process} (pid ${a.pid}) has exited`,
  'host.foreign-mapping': (a: { mapping: string }) => `mapping '${a.mapping}' belongs to another process`,
  'host.needs-s390-kvm': (a: { operation: string; arch: string; kvm: boolean }) =>
    `${a.operation} needs an s390x KVM process (this one is ${a.arch}${a.kvm ? ' KVM' : ' without KVM'})`,
  'host.bad-tag': (a: { tag: number }) => `content tag ${a.tag} is not an integer in 0..0xffffffff`,
  'host.uffd-mode-unsupported': (a: { mode: string }) => `userfaultfd register mode '${a.mode}' is not modelled (only 'missing' is)`,
  'host.uffd-closed': (a: { id: number }) => `userfaultfd ${a.id} is closed`,
});

export type HostErrorCode = keyof typeof hostErrors.table;
