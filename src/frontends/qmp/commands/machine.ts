/** query-version, query-status, quit, query-memory-devices and query-memory-size-summary. */
import { dumpGuestMemory } from '../../../machine/dump.js';
import { machineInfo } from '../../../machine/machine-info.js';
import { queryMigrate } from '../../../migration/info.js';
import { MEMORY_DEVICE_OPS } from '../../../machine/memory-device.js';
import { QmpError } from '../errors.js';
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
    name: 'query-migrate',
    args: [],
    run: (ctx) => queryMigrate(ctx.machine),
  },
  {
    name: 'query-machines',
    args: [],
    run: (ctx) => ctx.machine.catalog.list(ctx.machine.release, ctx.machine.arch).map(machineInfo),
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
    // hotmem's own: the host model's figures for the guest's memory, as /proc/PID/status shows them.
    name: 'x-query-host-memory',
    args: [],
    run: (ctx) => {
      const s = ctx.machine.process.status();
      return { rss: s.vmRss, 'rss-anon': s.rssAnon, 'rss-file': s.rssFile, 'rss-shmem': s.rssShmem, 'page-tables': s.vmPte };
    },
  },
  {
    name: 'dump-guest-memory',
    args: [
      { name: 'paging', type: 'bool' },
      { name: 'protocol', type: 'str' },
      { name: 'detach', type: 'bool', optional: true },
      { name: 'begin', type: 'int', optional: true },
      { name: 'length', type: 'int', optional: true },
      { name: 'format', type: 'str', optional: true },
    ],
    run: (ctx, args) => {
      const protocol = args['protocol'] as string;
      if (!protocol.startsWith('file:') && !protocol.startsWith('fd:')) throw new QmpError('GenericError', `Invalid parameter 'protocol'`);
      dumpGuestMemory(ctx.machine);
      return {};
    },
  },
  {
    name: 'query-memory-size-summary',
    args: [],
    run: (ctx) => ({ 'base-memory': ctx.machine.memory.ramSize, 'plugged-memory': ctx.machine.pluggedMemorySize() }),
  },
];
