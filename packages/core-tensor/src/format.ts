import type { Tensor } from './tensor.js';

const EDGE = 3; // items shown at each end of a long axis
const THRESHOLD = 1000; // summarise tensors with more elements than this

/** PyTorch-like rendering: `tensor([[1.0000, 2.0000]], dtype=float64, requiresGrad=true)`. */
export function formatTensor(t: Tensor): string {
  const isFloat = t.dtype !== 'int32';
  const summarise = t.size > THRESHOLD;
  let allInt = true;
  let maxAbs = 0;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (Number.isFinite(v)) {
      if (!Number.isInteger(v)) allInt = false;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
  }
  const scientific = isFloat && (maxAbs >= 1e8 || (maxAbs > 0 && maxAbs < 1e-4));
  const fmt = (v: number): string => {
    if (!isFloat) return String(v);
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (scientific) return v.toExponential(4);
    return allInt ? `${v}.` : v.toFixed(4);
  };
  const strides: number[] = [];
  let s = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= t.shape[i]!;
  }
  const render = (dim: number, offset: number, indent: string): string => {
    const n = t.shape[dim]!;
    const idx = summarise && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    if (dim === t.shape.length - 1) {
      return `[${idx.map((i) => (i < 0 ? '...' : fmt(t.data[offset + i]!))).join(', ')}]`;
    }
    const sep = `,${'\n'.repeat(t.shape.length - dim - 1)}${indent} `;
    return `[${idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim]!, indent + ' '))).join(sep)}]`;
  };
  const body = t.shape.length === 0 ? fmt(t.data[0]!) : t.size === 0 ? `[]` : render(0, 0, '       ');
  const extras: string[] = [];
  if (t.size === 0 && t.shape.length > 1) extras.push(`size=[${t.shape.join(', ')}]`);
  if (t.dtype !== 'float32') extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`gradFn=${t.gradFn.op}`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
