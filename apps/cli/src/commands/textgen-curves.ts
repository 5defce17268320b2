/** The curves of a text-generation run: every step's figures as CSV, and loss, accuracy and bits per character as SVG. */
import type { TrainingHistory } from '@tensorloom/textgen';
import { stackedChartsSvg } from '../plot-panels.js';

/** Mean of `values` over consecutive buckets of `size`, at the bucket's last x. */
function bucketMeans(points: readonly (readonly [number, number])[], size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push([bucket[bucket.length - 1]![0], bucket.reduce((s, p) => s + p[1], 0) / bucket.length]);
  }
  return out;
}

/** The curves as CSV: every training step's batch figures, the validation figures where there was one. */
export function curvesCsv(history: TrainingHistory): string {
  const validation = new Map(history.validation.map((v) => [v.step, v]));
  const steps = [...new Set([...history.train.map((t) => t.step), ...validation.keys()])].sort((a, b) => a - b);
  const train = new Map(history.train.map((t) => [t.step, t]));
  const rows = ['step,train_loss,train_accuracy,train_bits_per_char,val_loss,val_accuracy,val_bits_per_char'];
  for (const step of steps) {
    const t = train.get(step);
    const v = validation.get(step);
    rows.push(
      [step, t?.loss, t?.accuracy, t === undefined ? undefined : t.loss / Math.LN2, v?.loss, v?.accuracy, v?.bitsPerChar]
        .map((x) => (x === undefined ? '' : String(x)))
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

/** Loss, accuracy and bits/char panels (training smoothed over buckets of steps, validation as measured). */
export function curvesSvg(history: TrainingHistory, title: string): string {
  const size = Math.max(1, Math.ceil(history.train.length / 300));
  const train = (f: (t: TrainingHistory['train'][number]) => number) =>
    bucketMeans(
      history.train.map((t) => [t.step, f(t)] as const),
      size,
    );
  const val = (f: (v: TrainingHistory['validation'][number]) => number) => history.validation.map((v) => [v.step, f(v)] as const);
  const trainName = size > 1 ? `training batches (mean of ${size} steps)` : 'training batches';
  const panel = (yLabel: string, t: [number, number][], v: (readonly [number, number])[]) => ({
    title: `${title}: ${yLabel}`,
    xLabel: 'step',
    yLabel,
    series: [{ name: trainName, points: t }, ...(v.length > 0 ? [{ name: 'validation', points: v }] : [])],
  });
  return stackedChartsSvg({
    charts: [
      panel(
        'loss (nats/char)',
        train((t) => t.loss),
        val((v) => v.loss),
      ),
      panel(
        'accuracy',
        train((t) => t.accuracy),
        val((v) => v.accuracy),
      ),
      panel(
        'bits per character',
        train((t) => t.loss / Math.LN2),
        val((v) => v.bitsPerChar),
      ),
    ],
  });
}
