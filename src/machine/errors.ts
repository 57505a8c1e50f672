/**
 * Machine-level messages, worded as QEMU words them in the release that prints them
 * (hw/core/machine.c, softmmu/vl.c, hw/mem/memory-device.c, hw/i386/pc.c, hw/core/numa.c).
 */
import { defineErrors } from '../core/errors.js';
import { hex } from '../core/units.js';

export const machineErrors = defineErrors({
  // select_machine names the machine type from 9.1 on.
  'machine.unsupported-type': (a: { name: string; named: boolean }) =>
    `unsupported machine type${a.named ? `: "${a.name}"` : ''}\nUse -machine help to list supported machines`,
  'machine.deprecated': (a: { name: string; reason: string }) => `Machine type '${a.name}' is deprecated: ${a.reason}`,
  // -m, 7.1+ (machine "memory" property, machine_set_mem)
  'machine.maxmem-below-ram': (a: { maxmem: number; ram: number; legacy: boolean }) =>
    `invalid value of ${a.legacy ? '-m option maxmem' : 'maxmem'}: maximum memory size (${hex(a.maxmem)}) must be at least the initial memory size (${hex(a.ram)})`,
  'machine.maxmem-equals-ram-with-slots': (a: { maxmem: number; ram: number; legacy: boolean }) =>
    `invalid value of ${a.legacy ? '-m option maxmem' : 'maxmem'}: memory slots were specified but maximum memory size (${hex(a.maxmem)}) is equal to the initial memory size (${hex(a.ram)})`,
  'machine.slots-without-maxmem': (a: { legacy: boolean }) =>
    a.legacy ? "invalid -m option value: missing 'maxmem' option" : 'slots specified but no max-size',
  'machine.missing-size': () => "missing 'size' option value",
  'machine.ram-too-large': () => 'ram size too large',
  'machine.too-many-slots': (a: { slots: number }) => `unsupported amount of memory slots: ${a.slots}`,
  'machine.maxmem-unaligned': (a: { pageSize: number }) => `maximum memory size must by aligned to multiple of ${a.pageSize} bytes`,
  'machine.memory-hotplug-unsupported': (a: { machine: string }) => `"-memory 'slots|maxmem'" is not supported by: ${a.machine}`,
  'machine.phys-bits-too-low': (a: { limit: number; used: number; physBits: number }) =>
    `Address space limit ${hex(a.limit)} < ${hex(a.used)} phys-bits too low (${a.physBits})`,
  's390.ram-unaligned': () => 'ram size must be multiples of 1 MiB',
  // hw/i386/pc.c pc_memory_pre_plug
  'pc.memory-hotplug-without-acpi': () => 'memory hotplug is not enabled: missing acpi device or acpi disabled',
  'pc.nvdimm-not-enabled': () => "nvdimm is not enabled: missing 'nvdimm' in '-M'",
  'pc.nvdimm-persistence': (a: { value: string }) => `-machine nvdimm-persistence=${a.value}: unsupported option`,
  // -machine memory-backend=
  'machine.backend-not-found': (a: { id: string }) => `Memory backend '${a.id}' not found`,
  // Checked in qemu_resolve_machine_memdev with -m's wording until 6.0 moved it to machine_run_board_init.
  'machine.backend-size-mismatch': (a: { legacy: boolean }) =>
    a.legacy
      ? "Size specified by -m option must match size of explicitly specified 'memory-backend' property"
      : 'Machine memory size does not match the size of the memory backend',
  'machine.backend-reused': (a: { id: string }) => `memory backend ${a.id} can't be used multiple times.`,
  // memory devices (hw/mem/memory-device.c)
  'memdev.no-device-memory': () => 'memory devices (e.g. for memory hotplug) are not supported by the machine',
  'memdev.not-enabled': (a: { modern: boolean }) =>
    a.modern
      ? 'the configuration is not prepared for memory devices (e.g., for memory hotplug), consider specifying the maxmem option'
      : 'memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option',
  'memdev.no-kvm-slots': (a: { modern: boolean }) =>
    a.modern ? 'hypervisor has not enough free memory slots left' : 'hypervisor has no free memory slots left',
  'memdev.no-space': (a: { used: number; total: number }) =>
    `not enough space, currently ${hex(a.used)} in use of total space for memory devices ${hex(a.total)}`,
  'memdev.address-unaligned': (a: { align: number }) => `address must be aligned to ${hex(a.align)} bytes`,
  'memdev.size-unaligned': (a: { align: number }) => `backend memory size must be multiple of ${hex(a.align)}`,
  'memdev.out-of-range': (a: { addr: number; size: number; base: number; regionSize: number }) =>
    `can't add memory device [${hex(a.addr)}:${hex(a.size)}], usable range for memory devices [${hex(a.base)}:${hex(a.regionSize)}]`,
  'memdev.too-big': () => "can't add memory device, device too big",
  'memdev.conflict': (a: { id: string | undefined }) => `address range conflicts with memory device id='${a.id ?? '(unnamed)'}'`,
  'memdev.fragmented': () => 'could not find position in guest address space for memory device - memory fragmented due to alignments',
  'memdev.alignment-warning': (a: { align: number }) =>
    `the alignment (${hex(a.align)}) exceeds the expected maximum alignment, memory will get fragmented and not all 'maxmem' might be usable for memory devices.`,
  // buses (hw/core/qdev-monitor.c)
  'bus.not-found': (a: { bus: string }) => `Bus '${a.bus}' not found`,
  'bus.no-hotplug': (a: { bus: string }) => `Bus '${a.bus}' does not support hotplugging`,
  'bus.wrong-type': (a: { bus: string; type: string }) => `Device '${a.type}' can't go on ${a.bus} bus`,
  'bus.not-modelled': (a: { driver: string; busType: string }) =>
    `hotmem models no '${a.busType}' bus on this machine, so device '${a.driver}' has none to go on`,
  'bus.none-for-device': (a: { driver: string; busType: string }) => `No '${a.busType}' bus found for device '${a.driver}'`,
  // PCI option ROMs and video RAM at realize (hw/pci/pci.c pci_add_option_rom, hw/display/cirrus_vga.c)
  'pci.cirrus-vram-size': (a: { mib: number }) => `Invalid cirrus_vga ram size '${a.mib}'`,
  'pci.bochs-display-vgamem': (a: { problem: 'small' | 'big' }) => `bochs-display: video memory too ${a.problem}`,
  'pci.romsize-not-power-of-two': (a: { romsize: number }) => `ROM size ${a.romsize} is not a power of two`,
  'pci.romfile-too-large': (a: { file: string; size: number; romsize: number }) =>
    `romfile "${a.file}" (${a.size} bytes) is too large for ROM size ${a.romsize}`,
  'pci.romfile-unknown': (a: { file: string; release: string }) =>
    `hotmem does not know the size of romfile "${a.file}": it models the firmware files a Debian installation of QEMU ${a.release} has`,
  'device.not-found': (a: { id: string }) => `Device '${a.id}' not found`,
  'device.no-hotplug': (a: { type: string }) => `Device '${a.type}' does not support hotplugging`,
  'device.unplug-in-progress': (a: { id: string }) => `Device ${a.id} is already in the process of unplug`,
  // -smp (hw/core/machine-smp.c from 6.2; hw/core/machine.c smp_parse and hw/i386/pc.c pc_smp_parse before)
  'smp.zero': () => 'Invalid CPU topology: CPU topology parameters must be greater than zero',
  'smp.zero-deprecated': () => 'Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero',
  'smp.level-unsupported': (a: { level: string; form: 'plain' | 'gt1' }) =>
    `${a.level}${a.form === 'gt1' ? ' > 1' : ''} not supported by this machine's CPU topology`,
  'smp.level-one-deprecated': (a: { level: string }) =>
    `Deprecated CPU topology (considered invalid): Unsupported ${a.level} parameter mustn't be specified as 1`,
  'smp.product-mismatch': (a: { hierarchy: ReadonlyArray<[string, number]>; maxCpus: number }) =>
    `Invalid CPU topology: product of the hierarchy must match maxcpus: ${levelList(a.hierarchy)} != maxcpus (${a.maxCpus})`,
  'smp.maxcpus-below-cpus': (a: { hierarchy: ReadonlyArray<[string, number]>; maxCpus: number; cpus: number }) =>
    `Invalid CPU topology: maxcpus must be equal to or greater than smp: ${levelList(a.hierarchy)} == maxcpus (${a.maxCpus}) < smp_cpus (${a.cpus})`,
  'smp.legacy-below-cpus': (a: { levels: ReadonlyArray<[string, number]>; cpus: number }) => `cpu topology: ${levelList(a.levels)} < smp_cpus (${a.cpus})`,
  'smp.legacy-maxcpus-below-cpus': () => 'maxcpus must be equal to or greater than smp',
  // pc_smp_parse's wording carried a stray "deprecated" until 6.2 replaced it.
  'smp.legacy-mismatch': (a: { levels: ReadonlyArray<[string, number]>; maxCpus: number; pc: boolean }) =>
    `Invalid CPU topology${a.pc ? ' deprecated' : ''}: ${levelList(a.levels)} != maxcpus (${a.maxCpus})`,
  // target/i386/cpu.c x86_cpu_realizefn; one warn_report from 9.1 (it added error_printf's line before).
  'cpu.amd-hyperthreading': (a: { threads: number; oneLine: boolean }) =>
    `This family of AMD CPU doesn't support hyperthreading(${a.threads})${a.oneLine ? '. ' : '\n'}Please configure -smp options properly or try enabling topoext feature.`,
  'smp.max-cpus': (a: { cpus: number; machine: string; max: number }) =>
    `Invalid SMP CPUs ${a.cpus}. The max CPUs supported by machine '${a.machine}' is ${a.max}`,
  // NUMA (hw/core/numa.c)
  'numa.duplicate-node': (a: { node: number }) => `Duplicate NUMA nodeid: ${a.node}`,
  'numa.too-many-nodes': (a: { max: number }) => `Max number of NUMA nodes reached: ${a.max}`,
  // QEMU says "ambiguous" for a memdev id that resolves to nothing, too.
  'numa.memdev-not-found': (a: { id: string }) => `memdev=${a.id} is ambiguous`,
  'numa.mem-unsupported': () => 'Parameter -numa node,mem is not supported by this machine type\nUse -numa node,memdev instead',
  'numa.memdev-and-mem': () => 'numa configuration should use either mem= or memdev=,mixing both is not allowed',
  'numa.node-missing': (a: { node: number }) => `numa: Node ID missing: ${a.node}`,
  'numa.total-mismatch': (a: { total: number; ram: number }) => `total memory for NUMA nodes (${hex(a.total)}) should equal RAM size (${hex(a.ram)})`,
  'numa.memdev-and-machine-backend': () => "'-machine memory-backend' and '-numa memdev' properties are mutually exclusive",
  'numa.unsupported': () => 'NUMA is not supported by this machine-type',
  // CPUs to nodes (hw/core/numa.c set_numa_options, parse_numa_node; hw/core/machine.c)
  'numa.cpu-index': (a: { index: number; maxCpus: number }) => `CPU index (${a.index}) should be smaller than maxcpus (${a.maxCpus})`,
  'numa.cpu-node-missing': () => 'Missing mandatory node-id property',
  'numa.cpu-node-undefined': (a: { node: number }) =>
    `Invalid node-id=${a.node}, NUMA node must be defined with -numa node,nodeid=ID before it's used with -numa cpu,node-id=ID`,
  'numa.cpu-prop-unsupported': (a: { prop: string }) => `${a.prop} is not supported`,
  'numa.cpu-assigned': (a: { node: number }) => `CPU is already assigned to node-id: ${a.node}`,
  'numa.cpu-no-match': () => 'no match found',
  'numa.cpus-unassigned': (a: { cpus: string }) => `CPU(s) not present in any NUMA nodes: ${a.cpus}`,
  'numa.partial-mapping': () =>
    'All CPU(s) up to maxcpus should be described in NUMA config, ability to start up with partial NUMA mappings is obsoleted and will be removed in future',
});

/** cpu_hierarchy_to_string: `sockets (2) * cores (1) * threads (1)`. */
function levelList(levels: ReadonlyArray<[string, number]>): string {
  return levels.map(([name, n]) => `${name} (${n})`).join(' * ');
}
