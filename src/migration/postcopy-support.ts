/**
 * postcopy_ram_supported_by_host on a machine's host: a userfaultfd to open, and MISSING mode
 * on hugetlbfs if any RAM block uses huge pages. The destination checks it when postcopy is
 * advised, and migrate-set-capabilities when an incoming VM turns postcopy-ram on.
 */
import type { HotmemError } from '../core/errors.js';
import { strerror } from '../host/errno.js';
import type { Machine } from '../machine/machine.js';
import { migrationErrors } from './errors.js';
import type { MigratableBlock } from './ram-blocks.js';

export function postcopyHostProblem(machine: Machine, blocks: readonly MigratableBlock[]): HotmemError | undefined {
  const process = machine.process;
  const probe = process.userfaultfd();
  if (probe.kind === 'error') return migrationErrors.error('migration.postcopy-no-userfaultfd', { error: strerror(probe.errno) });
  probe.uffd.close();
  const basePage = process.host.arch.basePageSize;
  if (blocks.some((b) => b.pageSize !== basePage) && !process.host.kernel.uffdFeatures.has('missing-hugetlbfs')) {
    return migrationErrors.error('migration.postcopy-hugepages');
  }
  return undefined;
}
