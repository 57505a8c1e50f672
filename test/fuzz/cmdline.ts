/**
 * The command-line target: `hotmem qemu`'s argument vector, built from every option it models with
 * realistic values (from the examples and real VMs' command lines), mutated. Each input starts a
 * fresh process. Invariants: no crash, no hang, and an exit with a failure status says why on stderr.
 */
import fc from 'fast-check';
import { qemuBinary } from '../../src/cli/binary.js';
import { QEMU_OPTION_DATA } from '../../src/frontends/cmdline/data/qemu-options.js';
import { runQemu } from '../../src/frontends/cmdline/qemu.js';
import { freshHost } from '../../src/host/host.js';
import { mutated } from './mutate.js';
import { bounded, InvariantBroken, show, type FuzzTarget } from './target.js';

/** Realistic values per option; an option missing here gets the generic ones. */
const VALUES: Readonly<Record<string, readonly string[]>> = {
  machine: [
    'q35',
    'pc',
    'pc-q35-7.2',
    'pc-i440fx-5.2',
    'q35,accel=kvm',
    'q35,memory-backend=mem0',
    'pc,nvdimm=on',
    'help',
    's390-ccw-virtio',
    'none',
    'type=q35,dump-guest-core=off',
  ],
  m: ['1G', '512M,maxmem=4G,slots=2', '1G,maxmem=16G', 'size=2G,slots=4,maxmem=32G', '4096', 'maxmem=8G'],
  smp: ['1', '2,maxcpus=4', '4,sockets=2,cores=2', 'cpus=0'],
  numa: ['node,memdev=mem0', 'node,nodeid=0,cpus=0-1,memdev=mem0', 'node,mem=1G'],
  object: [
    'memory-backend-ram,id=mem0,size=1G',
    'memory-backend-memfd,id=mem0,size=2G,share=on',
    'memory-backend-file,id=mem0,size=1G,mem-path=/dev/shm/hotmem-fuzz,share=on',
    'memory-backend-ram,id=mem1,size=512M,prealloc=on,reserve=off',
    'memory-backend-memfd,id=mem0,size=1G,hugetlb=on,hugetlbsize=2M',
    'help',
    'memory-backend-ram,help',
    'iothread,id=io0',
  ],
  device: [
    'virtio-mem-pci,id=vm0,memdev=mem0',
    'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=512M,block-size=2M,node=0',
    'virtio-balloon-pci,id=balloon0,free-page-reporting=on',
    'virtio-balloon-pci,deflate-on-oom=on,guest-stats-polling-interval=2',
    'pc-dimm,id=dimm0,memdev=mem0',
    'pc-dimm,memdev=mem0,slot=1,addr=0x140000000',
    'nvdimm,id=nv0,memdev=mem0,label-size=128K',
    'virtio-pmem-pci,id=pmem0,memdev=mem0',
    'virtio-mem-pci,id=vm0,memdev=mem0,unplugged-inaccessible=on,prealloc=on',
    'virtio-mem-ccw,id=vm0,memdev=mem0',
    'help',
    'virtio-mem-pci,help',
    'virtio-net-pci,netdev=n0',
    '{"driver":"virtio-mem-pci","id":"vm0","memdev":"mem0"}',
  ],
  global: ['virtio-mem-pci.block-size=4M', 'virtio-balloon-device.free-page-hint=on', 'driver=virtio-mem-pci,property=prealloc,value=on'],
  accel: ['kvm', 'tcg', 'tcg,thread=multi', 'kvm:tcg'],
  display: ['none', 'gtk', 'vnc=:0'],
  incoming: ['defer', 'unix:/tmp/hotmem-fuzz-in.sock', 'tcp:localhost:4444', 'tcp:[::1]:0', 'exec:cat', 'frob'],
  qmp: ['stdio', 'unix:/tmp/hotmem-fuzz-qmp.sock,server=on,wait=off', 'tcp:localhost:4445,server=on'],
  'qmp-pretty': ['stdio', 'unix:/tmp/hotmem-fuzz-qmp.sock,server=on,wait=off'],
  name: ['guest=vm1,debug-threads=on', 'vm1'],
  uuid: ['c7a5fdbd-edaf-9455-926a-d65c16db1809'],
  chardev: [
    'socket,id=charmonitor,path=/tmp/hotmem-fuzz-mon.sock,server=on,wait=off',
    'socket,id=charmonitor,fd=3,server=on,wait=off',
    'pty,id=charserial0',
    'null,id=c0',
  ],
  mon: ['chardev=charmonitor,id=monitor,mode=control', 'charmonitor'],
  msg: ['timestamp=on', 'timestamp=off'],
  overcommit: ['mem-lock=off', 'mem-lock=on', 'cpu-pm=on'],
  rtc: ['base=utc', 'base=utc,driftfix=slew', 'clock=host'],
  boot: ['strict=on', 'menu=on,splash-time=3000'],
  sandbox: ['on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny'],
};
const GENERIC = ['', 'help', 'frob', '1', 'on'];

/** Every option of any release, with whether it takes an argument (the same in every release). */
const OPTIONS = new Map(QEMU_OPTION_DATA.map((o) => [o.name, o.arg]));

/** One option with its value (built once per option: arbitraries are dear to build). */
const PER_OPTION: ReadonlyArray<fc.Arbitrary<readonly string[]>> = [...OPTIONS].map(([name, arg]) =>
  arg
    ? fc
        .constantFrom(...(VALUES[name] ?? GENERIC))
        .chain(mutated)
        .map((v): readonly string[] => [`-${name}`, v])
    : fc.constant([`-${name}`]),
);
const option: fc.Arbitrary<readonly string[]> = fc.oneof(
  { weight: 20, arbitrary: fc.oneof(...PER_OPTION) },
  { weight: 1, arbitrary: fc.constantFrom<readonly string[]>(['-frob'], ['--m', '1G'], ['-device'], ['1G'], ['-'], ['--'], ['-M'], ['-object', '']) },
);

export interface CommandLine {
  readonly release: string;
  readonly arch: 'x86_64' | 's390x';
  readonly argv: readonly string[];
}

const RELEASES = ['5.2', '7.2', '10.0'] as const;

export function cmdlineTarget(): FuzzTarget<CommandLine> {
  const binaries = new Map<string, ReturnType<typeof qemuBinary>>();
  for (const release of RELEASES) {
    for (const arch of ['x86_64', 's390x'] as const)
      binaries.set(
        `${release}/${arch}`,
        qemuBinary(
          new Map([
            ['qemu-version', release],
            ['arch', arch],
          ]),
        ),
      );
  }
  return {
    name: 'command-line',
    input: fc.record({
      release: fc.constantFrom(...RELEASES),
      arch: fc.constantFrom('x86_64', 'x86_64', 'x86_64', 's390x'),
      argv: fc.array(option, { minLength: 1, maxLength: 7 }).map((opts) => opts.flat()),
    }),
    check(input) {
      let stderr = '';
      const io = { out: () => undefined, err: (t: string) => void (stderr += t) };
      const binary = binaries.get(`${input.release}/${input.arch}`)!;
      const outcome = bounded(`hotmem qemu --qemu-version ${input.release} --arch ${input.arch} ${show(input.argv)}`, () =>
        runQemu(binary, input.argv, io, freshHost({ arch: input.arch, kernel: 'linux-6.1' })),
      );
      if (outcome.kind === 'exited' && outcome.status !== 0 && stderr.trim() === '') {
        throw new InvariantBroken(`exit status ${outcome.status} with nothing on stderr for ${show(input)}`);
      }
    },
    checkpoint: () => undefined,
  };
}
