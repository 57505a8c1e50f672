import assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/core/units.js';
import { bootGuest, messages, seconds, sentLines } from './fixtures.js';

const X86 = { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 2 * MiB };

describe('guest/linux/virtio-mem reactions to the device', () => {
  describe('BUSY: the retry timer, 50 s doubling up to 300 s', () => {
    for (const kernel of ['5.8', '6.1']) {
      it(`Linux ${kernel}`, () => {
        const g = bootGuest({ kernel, device: { ...X86, requestedSize: 128 * MiB } });
        let busy = 6;
        g.device.script = () => (busy-- > 0 ? { kind: 'busy' } : undefined);
        g.scheduler.runUntilIdle();
        const times = g.driver.requests().map((r) => seconds(r.at));
        assert.deepEqual(times, [0, 50, 150, 350, 650, 950, 1250]);
        assert.deepEqual(sentLines(g.driver).slice(-2), ['plug 0x100000000 64 -> busy', 'plug 0x100000000 64 -> ack']);
        assert.equal(g.device.pluggedSize(), 128 * MiB);
        assert.equal(g.driver.worker().retryTimerMs, 50_000, 'a clean run resets the delay');
      });
    }

    it('a config change while the timer runs retries at once and restarts the timer with the same delay', () => {
      const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 128 * MiB } });
      g.device.script = () => ({ kind: 'busy' });
      g.scheduler.after(20e9, () => g.device.setRequestedSize(256 * MiB));
      // work@0, config@20, work@20, the cancelled timer@50, timer@70, work@70, timer@170, work@170
      assert.equal(g.scheduler.runUntilIdle(8).kind, 'step-limit');
      assert.deepEqual(
        g.driver.requests().map((r) => seconds(r.at)),
        [0, 20, 70, 170],
      );
      assert.equal(seconds(g.driver.worker().retryTimerDueAt ?? 0), 370);
      assert.equal(g.driver.worker().retryTimerMs, 200_000);
    });
  });

  it('NACK with a config change: the worker re-reads the config at once and plans again', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 256 * MiB } });
    let first = true;
    g.device.script = (_r, d) => {
      if (!first) return undefined;
      first = false;
      d.setRequestedSize(64 * MiB);
      return { kind: 'nack' };
    };
    g.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(g.driver), ['plug 0x100000000 64 -> nack', 'plug 0x100000000 32 -> ack']);
    assert.deepEqual(messages(g.driver).slice(-4), ['plugged size: 0x0', 'requested size: 0x10000000', 'plugged size: 0x0', 'requested size: 0x4000000']);
    assert.equal(seconds(g.scheduler.now()), 0);
  });

  it('NACK without a config change: the worker spins until the config changes', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 256 * MiB } });
    let nack = true;
    g.device.script = () => (nack ? { kind: 'nack' } : undefined);
    g.scheduler.runUntilIdle();
    assert.equal(g.driver.worker().spinning, true);
    assert.deepEqual(sentLines(g.driver), ['plug 0x100000000 64 -> nack']);
    nack = false;
    g.device.setRequestedSize(256 * MiB);
    g.scheduler.runUntilIdle();
    assert.equal(g.driver.worker().spinning, false);
    assert.deepEqual(sentLines(g.driver).slice(1), ['plug 0x100000000 64 -> ack', 'plug 0x108000000 64 -> ack']);
  });

  for (const kernel of ['5.8', '5.15', '6.1']) {
    it(`ERROR on PLUG, Linux ${kernel}: the device is marked broken and left alone`, () => {
      const g = bootGuest({ kernel, device: { ...X86, requestedSize: 256 * MiB } });
      g.device.script = () => ({ kind: 'error' });
      g.scheduler.runUntilIdle();
      assert.deepEqual(g.driver.state(), { kind: 'broken', rc: 'EINVAL' });
      assert.equal(g.driver.logLines().at(-1), 'virtio_mem virtio0: unknown error, marking device broken: -22');
      g.device.script = () => undefined;
      g.device.setRequestedSize(512 * MiB);
      g.scheduler.runUntilIdle();
      assert.deepEqual(sentLines(g.driver), ['plug 0x100000000 64 -> error']);
    });
  }

  it('ERROR on UNPLUG breaks the device too; NACK on UNPLUG is -ENOMEM and retried later', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 128 * MiB } });
    g.scheduler.runUntilIdle();
    g.device.script = (r) => (r.kind === 'unplug' ? { kind: 'nack' } : undefined);
    g.device.setRequestedSize(0);
    g.scheduler.runUntilIdle(6);
    // -ENOMEM: the whole-block attempt failed, the pages went back, and the timer retries.
    assert.deepEqual(
      g.driver
        .requests()
        .slice(1)
        .map((r) => [seconds(r.at), r.answer.kind]),
      [
        [0, 'nack'],
        [50, 'nack'],
        [150, 'nack'],
      ],
    );
    assert.deepEqual(g.driver.state(), { kind: 'hotplug', mode: 'sbm' });
    assert.equal(g.driver.memTotalContribution(), 128 * MiB);
    const h = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 128 * MiB } });
    h.scheduler.runUntilIdle();
    h.device.script = (r) => (r.kind === 'unplug' ? { kind: 'error' } : undefined);
    h.device.setRequestedSize(0);
    h.scheduler.runUntilIdle();
    assert.deepEqual(h.driver.state(), { kind: 'broken', rc: 'EINVAL' });
    assert.equal(h.driver.memTotalContribution(), 128 * MiB, 'the fake-offlined pages were given back');
  });

  it('a device whose plugged_size disagrees trips WARN_ON_ONCE once and is believed', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 128 * MiB } });
    // ACKs without plugging anything.
    g.device.script = (r) => (r.kind === 'plug' ? { kind: 'ack' } : undefined);
    g.scheduler.runUntilIdle();
    g.device.setRequestedSize(128 * MiB);
    g.scheduler.runUntilIdle();
    g.device.setRequestedSize(128 * MiB);
    g.scheduler.runUntilIdle();
    assert.deepEqual(
      g.driver.log().flatMap((e) => (e.kind === 'warn-on' ? [e.fn] : [])),
      ['virtio_mem_refresh_config'],
    );
    assert.deepEqual(messages(g.driver).slice(-4, -2), ['plugged size: 0x0', 'requested size: 0x8000000']);
    // Believing the device, the driver plugs again: into subblocks it thinks are plugged already.
    assert.equal(sentLines(g.driver)[1], 'plug 0x108000000 64 -> ack');
  });

  it('a detached request leaves the worker waiting forever', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 256 * MiB } });
    g.device.script = () => 'detach';
    g.scheduler.runUntilIdle();
    const state = g.driver.state();
    assert.equal(state.kind, 'hung');
    g.device.script = () => undefined;
    g.device.setRequestedSize(512 * MiB);
    assert.equal(g.scheduler.runUntilIdle().kind, 'idle');
    assert.deepEqual(sentLines(g.driver), ['plug 0x100000000 64 -> detached']);
  });

  it('UNPLUG_ALL at startup: BUSY and NACK back off; nothing else is sent until it is acked', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 128 * MiB, pluggedBlocks: [0] } });
    const answers = ['busy', 'nack', 'error'] as const;
    let i = 0;
    g.device.script = (r) => (r.kind === 'unplug-all' && i < answers.length ? { kind: answers[i++]! } : undefined);
    g.scheduler.runUntilIdle();
    assert.deepEqual(
      g.driver.requests().map((r) => [seconds(r.at), r.request.kind, r.answer.kind]),
      [
        [0, 'unplug-all', 'busy'],
        [50, 'unplug-all', 'nack'],
        [150, 'unplug-all', 'error'],
        [350, 'unplug-all', 'ack'],
        [350, 'plug', 'ack'],
      ],
    );
  });
});
