/**
 * What the modelled kernel writes to its log. dmesg lines carry the exact text the kernel prints:
 * dev_info/dev_warn/dev_err prefix the driver and device name ("virtio_mem virtio0: "), pr_warn
 * from the driver core does not. A WARN_ON_ONCE() splat names CPU, PID and code offsets the model
 * cannot know, so it is recorded as its own kind instead of a made-up line.
 */
import type { SimNanos } from '../../../core/units.js';

/** printk levels the driver uses (KERN_ERR, KERN_WARNING, KERN_INFO). */
export type KernelLogLevel = 'err' | 'warn' | 'info';

export type KernelLogEntry =
  | { readonly kind: 'dmesg'; readonly level: KernelLogLevel; readonly text: string; readonly at: SimNanos }
  /** A WARN_ON_ONCE() that fired: the function and the condition from the source. */
  | { readonly kind: 'warn-on'; readonly fn: string; readonly condition: string; readonly at: SimNanos };

export type KernelLogSink = (entry: KernelLogEntry) => void;

/** Formats the lines of one driver instance and hands them to the sink. */
export class DeviceLog {
  readonly #entries: KernelLogEntry[] = [];

  constructor(
    /** dev_name() of the virtio device, "virtio<index>" (drivers/virtio/virtio.c register_virtio_device). */
    readonly deviceName: string,
    private readonly sink: KernelLogSink,
    private readonly now: () => SimNanos,
  ) {}

  /** dev_info(&vdev->dev, ...) and friends while the virtio_mem driver is bound or probing. */
  dev(level: KernelLogLevel, message: string): void {
    this.#push({ kind: 'dmesg', level, text: `virtio_mem ${this.deviceName}: ${message}`, at: this.now() });
  }

  /** A pr_* line without a device prefix, e.g. the driver core's probe failure report. */
  plain(level: KernelLogLevel, text: string): void {
    this.#push({ kind: 'dmesg', level, text, at: this.now() });
  }

  warnOn(fn: string, condition: string): void {
    this.#push({ kind: 'warn-on', fn, condition, at: this.now() });
  }

  entries(): readonly KernelLogEntry[] {
    return this.#entries;
  }

  /** The dmesg text lines in order, without the WARN_ON records. */
  lines(): string[] {
    return this.#entries.flatMap((e) => (e.kind === 'dmesg' ? [e.text] : []));
  }

  #push(entry: KernelLogEntry): void {
    this.#entries.push(Object.freeze(entry));
    this.sink(entry);
  }
}
