/**
 * The VM's run state (qapi/run-state.json RunState, softmmu/runstate.c). Only the states a
 * modelled machine reaches are listed. vm_start and vm_stop raise RESUME and STOP only when the
 * state actually changes between running and stopped, as QEMU's do.
 */
import type { Machine } from './machine.js';

export type RunState =
  /** Created with -S (or not yet started). */
  | 'prelaunch'
  | 'running'
  /** Stopped by `stop`, or an incoming migration that ended with -S in effect. */
  | 'paused'
  /** Waiting for an incoming migration (-incoming). */
  | 'inmigrate'
  /** Stopped by an outgoing migration to send its last state. */
  | 'finish-migrate'
  /** Stopped after an outgoing migration completed, until the management continues it. */
  | 'postmigrate'
  | 'shutdown';

/** vm_start: RESUME when the VM was not already running. */
export function vmStart(machine: Machine): void {
  if (machine.runState === 'running') return;
  machine.runState = 'running';
  machine.events.emit('RESUME', {});
}

/** vm_stop / vm_stop_force_state: STOP only when the VM was running; a stopped VM just changes state. */
export function vmStop(machine: Machine, state: Exclude<RunState, 'running'>): void {
  const wasRunning = machine.runState === 'running';
  machine.runState = state;
  if (wasRunning) machine.events.emit('STOP', {});
}
