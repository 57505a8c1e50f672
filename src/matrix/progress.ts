/**
 * The progress bar of `hotmem matrix run` on a terminal: redrawn in place at most ten times a
 * second, and erased when the run ends so it never mixes with the report.
 */
const WIDTH = 30;
const REDRAW_MS = 100;

export interface Progress {
  update(done: number, total: number): void;
  /** Erases the bar; returns the elapsed seconds. */
  end(): number;
}

export function progressBar(write: (text: string) => void, now: () => number = () => performance.now()): Progress {
  const start = now();
  let last = -Infinity;
  return {
    update(done, total) {
      const t = now();
      if (t - last < REDRAW_MS && done < total) return;
      last = t;
      const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
      const rate = done / Math.max((t - start) / 1000, 1e-3);
      const eta = rate > 0 ? (total - done) / rate : 0;
      write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} cells  ${Math.round(rate)}/s  ${eta.toFixed(0)} s left\u001b[K`);
    },
    end() {
      write('\r\u001b[K');
      return (now() - start) / 1000;
    },
  };
}
