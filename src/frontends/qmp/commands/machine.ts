/** query-version, query-status, quit, query-memory-devices and query-memory-size-summary. */
import { MEMORY_DEVICE_OPS } from '../../../machine/memory-device.js';
import type { QmpCommand } from '../session.js';

export const MACHINE_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-version',
    args: [],
    run: (ctx) => ({ qemu: { micro: ctx.version.micro, minor: ctx.version.minor, major: ctx.version.major }, package: 'hotmem' }),
  },
  {
    name: 'quit',
    args: [],
    run: (ctx) => {
      // QEMU emits SHUTDOWN as it processes the request, before the reply.
      ctx.machine.events.emit('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
      ctx.requestQuit();
      return {};
    },
  },
  {
    name: 'stop',
    args: [],
    run: (ctx) => {
      if (ctx.machine.running) {
        ctx.machine.running = false;
        ctx.machine.events.emit('STOP', {});
      }
      return {};
    },
  },
  {
    name: 'cont',
    args: [],
    run: (ctx) => {
      if (!ctx.machine.running) {
        ctx.machine.running = true;
        ctx.machine.events.emit('RESUME', {});
      }
      return {};
    },
  },
  {
    name: 'query-status',
    args: [],
    run: (ctx) => ({ status: ctx.machine.running ? 'running' : 'prelaunch', singlestep: false, running: ctx.machine.running }),
  },
  {
    name: 'query-memory-devices',
    args: [],
    run: (ctx) =>
      ctx.machine.memoryDevices().map((device) => {
        const ops = ctx.machine.model.view.implementation(device.type, MEMORY_DEVICE_OPS)!;
        return ops.info(device);
      }),
  },
  {
    name: 'query-memory-size-summary',
    args: [],
    run: (ctx) => ({ 'base-memory': ctx.machine.memory.ramSize, 'plugged-memory': ctx.machine.pluggedMemorySize() }),
  },
];
