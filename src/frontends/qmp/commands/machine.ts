/** query-version, query-status, quit, query-memory-devices and query-memory-size-summary. */
import { inWindow } from '../../../core/release.js';
import { dumpGuestMemory } from '../../../machine/dump.js';
import { machineInfo } from '../../../machine/machine-info.js';
import { MEMORY_DEVICE_OPS } from '../../../machine/memory-device.js';
import { vmStart, vmStop } from '../../../machine/run-state.js';
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
      // qmp_stop: an incoming VM is kept from starting; a running one pauses.
      if (ctx.machine.runState === 'inmigrate') ctx.machine.autostart = false;
      else if (ctx.machine.running) vmStop(ctx.machine, 'paused');
      return {};
    },
  },
  {
    name: 'cont',
    args: [],
    run: (ctx) => {
      if (ctx.machine.runState === 'finish-migrate') throw new QmpError('GenericError', 'Migration is not finalized yet');
      // qmp_cont: an incoming VM starts once the migration hands it over.
      if (ctx.machine.runState === 'inmigrate') ctx.machine.autostart = true;
      else vmStart(ctx.machine);
      return {};
    },
  },
  {
    name: 'query-status',
    args: [],
    // StatusInfo's deprecated 'singlestep' (always false without -singlestep) is gone from 9.0
    // ("qapi: Remove deprecated 'singlestep' member of StatusInfo").
    run: (ctx) => ({
      status: ctx.machine.runState,
      ...(inWindow(ctx.machine.release, { until: '9.0' }) ? { singlestep: false } : {}),
      running: ctx.machine.running,
    }),
  },
  {
    name: 'query-machines',
    args: [],
    run: (ctx) => ctx.machine.catalog.list(ctx.machine.release, ctx.machine.arch).map((m) => machineInfo(m, ctx.machine.release)),
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
      return { rss: s.vmRss, 'rss-anon': s.rssAnon, 'rss-file': s.rssFile, 'rss-shmem': s.rssShmem, 'page-tables': s.vmPte, locked: s.vmLck };
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
    run: (ctx) => ({
      'base-memory': ctx.machine.memory.ramSize,
      ...(ctx.machine.buildsMemoryDevices() ? { 'plugged-memory': ctx.machine.pluggedMemorySize() } : {}),
    }),
  },
];
