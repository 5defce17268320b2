import type { GRUCellBackwardArgs, GRUCellForwardArgs, LSTMCellBackwardArgs, LSTMCellForwardArgs } from '../backend.js';
/**
 * Fused pointwise kernels of the LSTM and GRU steps, forward and backward: one pass over the
 * gates of a step instead of a dozen elementwise ops, each with its own output and tape node.
 * The matrix products around them (x·W_ihᵀ for all steps, h·W_hhᵀ per step) stay GEMMs.
 *
 * Values are computed in float64 (JS numbers) and rounded once on store, so float32 storage loses
 * nothing beyond that rounding. σ is the unary kernel's two-branch form, so the fused step equals
 * the composition of the public ops bit for bit in float64.
 */

/** σ(v) without overflow: e^(−v) is only taken for v ≥ 0. */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * `c = σ(f) ⊙ cPrev + σ(i) ⊙ tanh(g)`, `h = σ(o) ⊙ tanh(c)` over `gates` [rows, 4H] packed i, f, g, o;
 * `saved` [rows, 5H] (optional) gets σ(i), σ(f), tanh(g), σ(o), tanh(c).
 */
export function lstmCellForward({ gates, cPrev, rows, hidden, h, c, saved }: LSTMCellForwardArgs): void {
  const H = hidden;
  for (let r = 0; r < rows; r++) {
    const gRow = r * 4 * H;
    const sRow = r * H;
    const vRow = r * 5 * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[gRow + j]!);
      const f = sigmoid(gates[gRow + H + j]!);
      const g = Math.tanh(gates[gRow + 2 * H + j]!);
      const o = sigmoid(gates[gRow + 3 * H + j]!);
      c[sRow + j] = f * cPrev[sRow + j]! + i * g;
      // h reads c as stored (rounded to the storage type), as the unfused ops do.
      const tc = Math.tanh(c[sRow + j]!);
      h[sRow + j] = o * tc;
      if (saved !== null) {
        saved[vRow + j] = i;
        saved[vRow + H + j] = f;
        saved[vRow + 2 * H + j] = g;
        saved[vRow + 3 * H + j] = o;
        saved[vRow + 4 * H + j] = tc;
      }
    }
  }
}

/**
 * The LSTM step's gradient: `dcTotal = dc + dh ⊙ σo ⊙ (1 − tanh²c)`, then the four gate
 * pre-activation gradients into `dGates` [rows, 4H] and `dcPrev = dcTotal ⊙ σf`.
 */
export function lstmCellBackward({ saved, cPrev, dh, dc, rows, hidden, dGates, dcPrev }: LSTMCellBackwardArgs): void {
  const H = hidden;
  for (let r = 0; r < rows; r++) {
    const gRow = r * 4 * H;
    const sRow = r * H;
    const vRow = r * 5 * H;
    for (let j = 0; j < H; j++) {
      const i = saved[vRow + j]!;
      const f = saved[vRow + H + j]!;
      const g = saved[vRow + 2 * H + j]!;
      const o = saved[vRow + 3 * H + j]!;
      const tc = saved[vRow + 4 * H + j]!;
      const dhv = dh[sRow + j]!;
      const dcv = dc[sRow + j]! + dhv * o * (1 - tc * tc);
      dGates[gRow + j] = dcv * g * (i * (1 - i));
      dGates[gRow + H + j] = dcv * cPrev[sRow + j]! * (f * (1 - f));
      dGates[gRow + 2 * H + j] = dcv * i * (1 - g * g);
      dGates[gRow + 3 * H + j] = dhv * tc * (o * (1 - o));
      dcPrev[sRow + j] = dcv * f;
    }
  }
}

/**
 * PyTorch's GRU step over `xProj`, `hProj` [rows, 3H] packed r, z, n:
 * `r = σ(x_r + h_r)`, `z = σ(x_z + h_z)`, `n = tanh(x_n + r ⊙ h_n)`, `h = n + z ⊙ (hPrev − n)`;
 * `saved` [rows, 3H] (optional) gets r, z, n.
 */
export function gruCellForward({ xProj, hProj, hPrev, rows, hidden, h, saved }: GRUCellForwardArgs): void {
  const H = hidden;
  for (let row = 0; row < rows; row++) {
    const gRow = row * 3 * H;
    const sRow = row * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(xProj[gRow + j]! + hProj[gRow + j]!);
      const z = sigmoid(xProj[gRow + H + j]! + hProj[gRow + H + j]!);
      const n = Math.tanh(xProj[gRow + 2 * H + j]! + r * hProj[gRow + 2 * H + j]!);
      h[sRow + j] = n + z * (hPrev[sRow + j]! - n);
      if (saved !== null) {
        saved[gRow + j] = r;
        saved[gRow + H + j] = z;
        saved[gRow + 2 * H + j] = n;
      }
    }
  }
}

/**
 * The GRU step's gradient from the saved r, z, n: pre-activation gradients `dr`, `dz`, `dn` into
 * `dxProj`, the same with `dn ⊙ r` for the n block into `dhProj`, and the direct `dh ⊙ z` into `dhPrev`.
 */
export function gruCellBackward({ saved, hProj, hPrev, dh, rows, hidden, dxProj, dhProj, dhPrev }: GRUCellBackwardArgs): void {
  const H = hidden;
  for (let row = 0; row < rows; row++) {
    const gRow = row * 3 * H;
    const sRow = row * H;
    for (let j = 0; j < H; j++) {
      const r = saved[gRow + j]!;
      const z = saved[gRow + H + j]!;
      const n = saved[gRow + 2 * H + j]!;
      const g = dh[sRow + j]!;
      const dn = g * (1 - z) * (1 - n * n);
      const dr = dn * hProj[gRow + 2 * H + j]! * (r * (1 - r));
      const dz = g * (hPrev[sRow + j]! - n) * (z * (1 - z));
      dxProj[gRow + j] = dr;
      dxProj[gRow + H + j] = dz;
      dxProj[gRow + 2 * H + j] = dn;
      dhProj[gRow + j] = dr;
      dhProj[gRow + H + j] = dz;
      dhProj[gRow + 2 * H + j] = dn * r;
      dhPrev[sRow + j] = g * z;
    }
  }
}
