/** A started machine with a balloon and a Linux guest driving it. */
import { kernelVersion } from '../../../src/guest/linux/kernel-version.js';
import { linuxBalloonGuest, type LinuxBalloonGuest, type LinuxGuestOptions } from '../../../src/guest/balloon/guest.js';
import { startBalloon, type BalloonFixture, type BalloonFixtureOptions } from '../../devices/virtio-balloon/helpers.js';

export interface GuestFixture extends BalloonFixture, LinuxBalloonGuest {
  /** Every BALLOON_CHANGE as [MiB, seconds]. */
  readonly changes: Array<[number, number]>;
}

export function bootGuest(opts: BalloonFixtureOptions & { readonly kernel?: string; readonly guest?: Partial<LinuxGuestOptions> } = {}): GuestFixture {
  const f = startBalloon(opts);
  const guest = linuxBalloonGuest(f.machine, f.runtime, {
    kernel: kernelVersion(opts.kernel ?? '6.1'),
    initOnAlloc: true,
    initOnFree: false,
    pagePoisoning: false,
    ...opts.guest,
  });
  const changes: Array<[number, number]> = [];
  f.machine.events.on('BALLOON_CHANGE', (e) => changes.push([e.data.actual / 2 ** 20, e.at / 1e9]));
  return { ...f, ...guest, changes };
}

/** The guest writes all of its free memory, then frees it again (a workload that came and went). */
export function touchAllAndFree(g: GuestFixture): void {
  const all = g.allocator.allocate(g.pages.memFree());
  if (all.kind !== 'done') throw new Error('could not allocate all free memory');
  for (const r of all.ranges) g.pages.options.memory.write(r.gpa, r.length, 1);
  g.allocator.free(all.ranges);
}
