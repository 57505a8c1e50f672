/**
 * The README's programmatic example, compiled and run by the tests: start a q35 machine of QEMU
 * 7.2 with a memfd-backed virtio-mem device and read what the device and the host say.
 */
import { Machine, qemuBinary } from '../../src/index.js';

export function startMachineExample() {
  const binary = qemuBinary(new Map([['qemu-version', '7.2']]));
  const { machine, warnings } = Machine.start(
    {
      release: '7.2',
      arch: 'x86_64',
      machine: 'pc-q35-7.2',
      memory: '1G,maxmem=8G',
      items: [
        { kind: 'object', type: 'memory-backend-memfd', id: 'mem0', props: [{ name: 'size', value: '4G' }] },
        { kind: 'device', driver: 'virtio-mem-pci', id: 'vm0', props: [{ name: 'memdev', value: 'mem0' }] },
      ],
    },
    binary.environment,
  );
  return {
    warnings,
    unpluggedInaccessible: machine.model.resolvePath('vm0')!.get('unplugged-inaccessible'),
    status: machine.process.status(),
  };
}
