/**
 * What `hotmem --help` and `hotmem <command> --help` print for each command, apart from the
 * modules that run it: listing or choosing a command does not load any command's code.
 */
import type { CommandInfo } from '../command.js';

export const DEMO_INFO: CommandInfo = {
  name: 'demo',
  summary: 'run the built-in seed experiment: what reading untouched guest memory costs the host',
  usage: [
    'Usage: hotmem demo',
    '',
    'A 16 GiB guest that never touched its memory reads all of it, as a memory dump does, on',
    'x86_64 with an anonymous and a memfd backend and on s390x KVM hosts of three kernel eras.',
    'The scenarios are examples/demo/*.yaml; `hotmem run FILE` runs one with its steps shown.',
    '',
  ].join('\n'),
};

export const RUN_INFO: CommandInfo = {
  name: 'run',
  summary: "run a YAML machine definition's scenario and check its expectations",
  usage: [
    'Usage: hotmem run FILE.yaml [--json]',
    '',
    'Starts the machine the file describes on its host, attaches its guest, runs its steps and',
    'prints what each did and cost. Exits 1 when an expectation fails or the file is invalid.',
    '',
  ].join('\n'),
};

export const QEMU_INFO: CommandInfo = {
  name: 'qemu',
  summary: 'behave as qemu-system-<arch> of a release would with the same arguments (with a QMP server)',
  usage: [
    'Usage: hotmem qemu [--qemu-version X.Y] [--arch x86_64|s390x] [--build debian|upstream]',
    '                   [--host-arch x86_64|s390x] [--host-kernel linux-X.Y] [--guest linux-X.Y]',
    '                   [--link-bandwidth BYTES_PER_SECOND] <QEMU arguments>',
    '       hotmem qemu --batch FILE',
    '',
    'Accepts -machine/-M (accel=, memory-backend=), -m, -smp, -numa, -object, -device, -global,',
    '-accel, -enable-kvm, -nodefaults, -nographic, -S, -display none, help requests,',
    '-incoming unix:PATH | tcp:HOST:PORT | defer, and -qmp stdio | unix:PATH,server=on,wait=off.',
    "Errors and warnings are printed as QEMU prints them, and the exit status is QEMU's. Without",
    '-qmp (or -incoming), hotmem exits 0 once the machine started.',
    "--build: Debian's packaged build of the release (the default where hotmem records one) or a",
    'plain ./configure (upstream): it decides which machine types exist (e.g. Debian 5.2 has Xen).',
    '--host-kernel: the host the process runs on (default linux-6.1).',
    "--host-arch: the host's architecture when it is not --arch's (qemu-system-s390x under TCG on",
    "an x86_64 host): page and THP sizes (virtio-mem's default block size) come from the host.",
    '--guest attaches a modelled Linux guest (where QEMU would boot one with -kernel); after each',
    'QMP command it runs in simulated time until idle, so polling clients see where it converges.',
    '--link-bandwidth: the network between this host and a migration peer (default 10 GbE).',
    'QMP `migrate` to another `hotmem qemu -incoming` process: both model the migration, each on',
    "its own host, and report it as QEMU's two sides would.",
    '--batch FILE (- for stdin): many invocations in one process. Each line of FILE is one,',
    '{"args": [hotmem qemu arguments], "qmp": [QMP commands]}; each prints one line, in input',
    'order: {"exit", "stdout", "stderr", "replies", "events"}, what a separate `hotmem qemu`',
    'process given those commands on stdin (-qmp stdio) prints. A bad line prints',
    '{"line", "error"} and the batch goes on (exit status 1 at the end).',
    '',
  ].join('\n'),
};

export const MACHINES_INFO: CommandInfo = {
  name: 'machines',
  summary: 'list the machine types of a QEMU release, as `-machine help` prints them',
  usage: [
    'Usage: hotmem machines [--qemu-version X.Y] [--arch x86_64|s390x] [--build debian|upstream]',
    '',
    'Prints what qemu-system-<arch> of that release prints for `-machine help`. The release',
    "defaults to the newest modelled one; the build to Debian's package of that release where",
    'hotmem records one, else a plain ./configure (--build upstream).',
    '',
  ].join('\n'),
};

export const COMPAT_INFO: CommandInfo = {
  name: 'compat',
  summary: 'compat diff: which driver properties differ between machine types or releases',
  usage: [
    'Usage: hotmem compat diff A B [--qemu-version X.Y] [--arch x86_64|s390x] [--format table|json|csv] [--raw]',
    '',
    'A and B are machine types (pc-q35-6.2 pc-q35-7.0), or one machine type on two releases',
    '(pc-q35-6.2@7.2 pc-q35-6.2@8.1). Rows are the driver properties whose values differ after',
    'each side applies its compat properties; a side without an entry has the class default.',
    '--raw shows only the compat values ("-" where a side has no entry).',
    '',
  ].join('\n'),
};

export const MIGRATE_INFO: CommandInfo = {
  name: 'migrate',
  summary: 'migrate the machine of one definition to the machine of another, on two simulated hosts',
  usage: [
    'Usage: hotmem migrate SRC.yaml DST.yaml [--postcopy] [--bandwidth BYTES_PER_SECOND]',
    '',
    "Starts both machines on their own hosts (each definition's arch, kernel and QEMU release),",
    'migrates with precopy (or postcopy from the start), and prints the outcome, the transfer and',
    'what each host spends. Exits 1 when the migration fails or hangs. Bandwidth: 10 GbE default.',
    '',
  ].join('\n'),
};

export const MIGRATE_CHECK_INFO: CommandInfo = {
  name: 'migrate-check',
  summary: 'predict whether a migration between two definitions would load, without running it',
  usage: [
    'Usage: hotmem migrate-check SRC.yaml DST.yaml [--postcopy]',
    '',
    "Runs only the destination's checks on the source's device state (machine types, device",
    'properties, negotiated features) and says compatible, or where and why it would fail.',
    '',
  ].join('\n'),
};

export const MATRIX_INFO: CommandInfo = {
  name: 'matrix',
  summary: 'run a compat matrix of configurations and report it; merge shards; diff two runs',
  usage: [
    'Usage: hotmem matrix run FILE.yaml [--filter EXPR] [--shard I/N] [--jobs N] [--format F] [--out FILE] [--baseline OLD.json]',
    '       hotmem matrix merge A.json B.json ... [--format F] [--out FILE]',
    '       hotmem matrix diff OLD.json NEW.json [--ignore DIM,...] [--format terminal|json|markdown] [--out FILE]',
    '',
    'run     Expands the matrix file (dimensions × values, see examples/matrices/), runs its scenario',
    "        in every cell on --jobs threads and reports each cell's observations, host memory",
    '        and expectations. Exits 1 when a cell fails or errs. Default jobs: the cores available,',
    '        one per 256 selected cells at most (a smaller run stays in one thread).',
    '        --filter EXPR  only cells it selects: NAME=VALUE (globs *, alternatives a|b),',
    '                       NAME!=VALUE, NAME<VERSION (<=, >, >= too), joined with commas',
    '        --shard I/N    only the I-th of N round-robin slices, for parallel CI jobs',
    '        --baseline F   mark cells whose results differ from the run in F (JSON)',
    'merge   Joins the JSON results of shards (all from one matrix file) into one run.',
    'diff    Shows what changed between two JSON results, matching cells by coordinates; a',
    '        dimension fixed to a different value on each side (release 7.2 vs 8.0) is what is',
    '        compared. Exits 1 when something changed.',
    '',
    'F is terminal (default), json (full results, one cell per line), junit (XML for CI),',
    'markdown or html (self-contained: heat maps and memory timelines). With --out and no',
    '--format, the file extension chooses (.json, .xml, .md, .html).',
    '',
  ].join('\n'),
};
