import type { Output } from './cli.js';

/**
 * A progress line on stderr: redrawn in place on a terminal (bar, percentage, ETA and the caller's
 * fields), printed every `logEvery` steps otherwise so logs stay readable.
 */
export class Progress {
  private readonly start = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly out: Output,
    private readonly total: number,
    private readonly label: string,
    private readonly logEvery = Math.max(1, Math.round(total / 10)),
  ) {}

  update(step: number, fields: Record<string, string>): void {
    const now = performance.now();
    const elapsed = (now - this.start) / 1000;
    const eta = step > 0 ? (elapsed / step) * (this.total - step) : 0;
    const info = Object.entries(fields)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ');
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && step < this.total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((step / this.total) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.out.write(`\r${this.label} ${bar} ${step}/${this.total}  ETA ${formatSeconds(eta)}  ${info}\x1b[K`);
      if (step >= this.total) this.out.write('\n');
    } else if (step % this.logEvery === 0 || step === this.total) {
      this.out.write(`${this.label} ${step}/${this.total}  elapsed ${formatSeconds(elapsed)}  ${info}\n`);
    }
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  // Round once, so a minute never shows 60 seconds (539.6 s is 9m00s, not 8m60s).
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
