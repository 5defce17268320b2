/**
 * Backpropagation through time for the course's vanilla RNN, written out by hand (plain loops
 * over Float64Arrays, no tape), so the derived gradients can be read and checked against autograd.
 *
 * With `δp_t = ∂L/∂p_t = (ŷ_t − y_t) / N` on the steps the loss reads (N = B·T for 'all', B for
 * 'last'; y_t one-hot) and 0 elsewhere:
 *
 * ```
 * ∂L/∂W_ph = Σ_t δp_t h_tᵀ                       ∂L/∂b_p = Σ_t δp_t
 * ∂L_t/∂h_t = W_phᵀ δp_t
 * ∂h_j/∂h_{j−1} = diag(1 − h_j²) W_hh
 * ∂L/∂W_hh = Σ_t Σ_{i≤t} (∂L_t/∂h_t) (Π_{j=i+1..t} ∂h_j/∂h_{j−1}) ∂h_i/∂W_hh
 * ```
 *
 * where `∂h_i/∂W_hh` is the immediate partial (h_{i−1} held fixed): contracting a row vector g
 * with it gives `(g ⊙ (1 − h_i²)) h_{i−1}ᵀ`. `W_hx` and `b_h` follow the same double sum with
 * `x_iᵀ` and 1 in place of `h_{i−1}ᵀ`.
 */
import { DTypeError, IndexError, ShapeError, Tensor, ValueError, fmtShape, tensor } from '@tensorloom/core-tensor';
import type { LossAt, VanillaRNN, VanillaRNNParameterName } from './vanilla-rnn.js';

/** How `manualBptt` sums the recurrent contributions. */
export type BPTTForm =
  /**
   * The usual O(T) backward recursion: `δ_t = (∂L_t/∂h_t + W_hhᵀ δ_{t+1}) ⊙ (1 − h_t²)`,
   * `∂L/∂W_hh = Σ_t δ_t h_{t−1}ᵀ`.
   */
  | 'recursive'
  /**
   * The derivation taken literally: for every loss step t and every earlier step i ≤ t, the
   * explicit H×H Jacobian product `Π_{j=i+1..t} diag(1 − h_j²) W_hh` is formed (extended one
   * factor at a time as i goes back) and applied. O(T²·H³) per sequence: for checking, not training.
   */
  | 'jacobian-products';

export interface ManualBPTTOptions {
  /** Which steps the loss reads (see `sequenceCrossEntropy`). Default 'all'. */
  lossAt?: LossAt;
  /** Default 'recursive'. */
  form?: BPTTForm;
}

/** `∂L/∂θ` for each parameter of the vanilla RNN, shaped and typed as the parameter. */
export type VanillaRNNGradients = Record<VanillaRNNParameterName, Tensor>;

export interface ManualBPTTResult {
  /** The loss value L (the same number `sequenceCrossEntropy` gives). */
  loss: number;
  grads: VanillaRNNGradients;
}

/**
 * The gradients of the vanilla RNN's cross-entropy loss with respect to its five parameters,
 * computed by hand-written backpropagation through time (see the file comment for the formulas).
 * The computation runs in float64 whatever the model's dtype; the gradients come back in it.
 * Nothing is recorded on the tape and the parameters' `.grad` are left alone.
 *
 * @param model - the `VanillaRNN`.
 * @param x - `[B, T, I]` float input.
 * @param targets - int32 classes: `[B, T]`, or `[B]` with `lossAt: 'last'`.
 * @param options.lossAt - 'all' (default: mean over every step) or 'last' (the course's `L_T`).
 * @param options.form - 'recursive' (default, O(T)) or 'jacobian-products' (the O(T²) double sum).
 * @example
 * const { loss, grads } = manualBptt(model, x, y, { lossAt: 'last', form: 'jacobian-products' });
 * grads.W_hh  // [H, H], equal to model.W_hh.grad after model.loss(x, y, { lossAt: 'last' }).backward()
 */
export function manualBptt(model: VanillaRNN, x: Tensor, targets: Tensor, options: ManualBPTTOptions = {}): ManualBPTTResult {
  const { lossAt = 'all', form = 'recursive' } = options;
  if (lossAt !== 'all' && lossAt !== 'last') throw new ValueError(`manualBptt: lossAt must be 'all' or 'last', got '${String(lossAt)}'`);
  if (form !== 'recursive' && form !== 'jacobian-products')
    throw new ValueError(`manualBptt: form must be 'recursive' or 'jacobian-products', got '${String(form)}'`);
  const I = model.inputSize;
  const H = model.hiddenSize;
  const O = model.outputSize;
  if (x.dtype === 'int32') throw new DTypeError('manualBptt: expected a float input, got int32');
  if (x.ndim !== 3 || x.shape[2] !== I)
    throw new ShapeError(`manualBptt: expected an input of shape [B, T, ${I}], got ${fmtShape(x.shape)}`);
  const B = x.shape[0]!;
  const T = x.shape[1]!;
  if (targets.dtype !== 'int32') throw new DTypeError(`manualBptt: expected int32 class targets, got ${targets.dtype}`);
  const full = targets.ndim === 2 && targets.shape[0] === B && targets.shape[1] === T;
  if (!(full || (lossAt === 'last' && targets.ndim === 1 && targets.shape[0] === B))) {
    throw new ShapeError(
      `manualBptt: expected targets [${B}, ${T}]${lossAt === 'last' ? ` or [${B}]` : ''}, got ${fmtShape(targets.shape)}`,
    );
  }
  if (T === 0 || B === 0) throw new ShapeError(`manualBptt: the loss needs at least one sequence and one step, got ${fmtShape(x.shape)}`);

  const W_hx = Float64Array.from(model.W_hx.data);
  const W_hh = Float64Array.from(model.W_hh.data);
  const b_h = Float64Array.from(model.b_h.data);
  const W_ph = Float64Array.from(model.W_ph.data);
  const b_p = Float64Array.from(model.b_p.data);
  const xs = Float64Array.from(x.data);

  // The steps the loss reads, 1-based as in the derivation (t = 1..T), and their targets.
  const lossSteps = lossAt === 'all' ? Array.from({ length: T }, (_, k) => k + 1) : [T];
  const N = B * lossSteps.length;
  const target = (b: number, t: number): number => {
    const c = full ? targets.data[b * T + (t - 1)]! : targets.data[b]!;
    if (!Number.isInteger(c) || c < 0 || c >= O)
      throw new IndexError(`manualBptt: target ${c} out of range 0..${O - 1} (sequence ${b}, step ${t})`);
    return c;
  };

  // ---- forward: h[b, t] for t = 0..T (h_0 = 0), all of it kept for the backward pass ----
  const h = new Float64Array(B * (T + 1) * H);
  const hAt = (b: number, t: number): number => (b * (T + 1) + t) * H; // offset of h_t of sequence b
  const xAt = (b: number, t: number): number => (b * T + (t - 1)) * I; // offset of x_t (t 1-based)
  for (let b = 0; b < B; b++) {
    for (let t = 1; t <= T; t++) {
      const hPrev = hAt(b, t - 1);
      const hOut = hAt(b, t);
      const xOff = xAt(b, t);
      for (let k = 0; k < H; k++) {
        let a = b_h[k]!;
        for (let i = 0; i < I; i++) a += W_hx[k * I + i]! * xs[xOff + i]!;
        for (let m = 0; m < H; m++) a += W_hh[k * H + m]! * h[hPrev + m]!;
        h[hOut + k] = Math.tanh(a);
      }
    }
  }

  // ---- output layer: δp_t = (ŷ_t − y_t) / N, ∂L/∂W_ph, ∂L/∂b_p, and ∂L_t/∂h_t = W_phᵀ δp_t ----
  const gW_ph = new Float64Array(O * H);
  const gb_p = new Float64Array(O);
  // dLdh[b, t] = ∂L_t/∂h_t (the loss at step t through its own read-out only); zero where no loss.
  const dLdh = new Float64Array(B * (T + 1) * H);
  let loss = 0;
  const p = new Float64Array(O);
  for (let b = 0; b < B; b++) {
    for (const t of lossSteps) {
      const hOff = hAt(b, t);
      let max = -Infinity;
      for (let o = 0; o < O; o++) {
        let v = b_p[o]!;
        for (let k = 0; k < H; k++) v += W_ph[o * H + k]! * h[hOff + k]!;
        p[o] = v;
        if (v > max) max = v;
      }
      let z = 0;
      for (let o = 0; o < O; o++) z += Math.exp(p[o]! - max);
      const y = target(b, t);
      loss -= (p[y]! - max - Math.log(z)) / N;
      for (let o = 0; o < O; o++) {
        const dp = (Math.exp(p[o]! - max) / z - (o === y ? 1 : 0)) / N;
        gb_p[o] = gb_p[o]! + dp;
        for (let k = 0; k < H; k++) {
          gW_ph[o * H + k] = gW_ph[o * H + k]! + dp * h[hOff + k]!;
          dLdh[hOff + k] = dLdh[hOff + k]! + W_ph[o * H + k]! * dp;
        }
      }
    }
  }

  // ---- the recurrent part: W_hh, W_hx, b_h ----
  const gW_hh = new Float64Array(H * H);
  const gW_hx = new Float64Array(H * I);
  const gb_h = new Float64Array(H);
  /** Adds the immediate contribution of step i with `δ = g ⊙ (1 − h_i²)` (g = ∂L_t/∂h_i along the chain). */
  const accumulate = (b: number, i: number, g: Float64Array): Float64Array => {
    const hOff = hAt(b, i);
    const hPrev = hAt(b, i - 1);
    const xOff = xAt(b, i);
    const delta = new Float64Array(H);
    for (let k = 0; k < H; k++) {
      const d = g[k]! * (1 - h[hOff + k]! ** 2);
      delta[k] = d;
      gb_h[k] = gb_h[k]! + d;
      for (let m = 0; m < H; m++) gW_hh[k * H + m] = gW_hh[k * H + m]! + d * h[hPrev + m]!;
      for (let n = 0; n < I; n++) gW_hx[k * I + n] = gW_hx[k * I + n]! + d * xs[xOff + n]!;
    }
    return delta;
  };

  if (form === 'recursive') {
    for (let b = 0; b < B; b++) {
      // carry = W_hhᵀ δ_{t+1}: what the later steps send back into h_t.
      let carry = new Float64Array(H);
      for (let t = T; t >= 1; t--) {
        const g = new Float64Array(H);
        for (let k = 0; k < H; k++) g[k] = dLdh[hAt(b, t) + k]! + carry[k]!;
        const delta = accumulate(b, t, g);
        carry = new Float64Array(H);
        for (let m = 0; m < H; m++) {
          let s = 0;
          for (let k = 0; k < H; k++) s += delta[k]! * W_hh[k * H + m]!;
          carry[m] = s;
        }
      }
    }
  } else {
    for (let b = 0; b < B; b++) {
      for (const t of lossSteps) {
        const gT = dLdh.subarray(hAt(b, t), hAt(b, t) + H); // ∂L_t/∂h_t, a row vector
        // P = Π_{j=i+1..t} ∂h_j/∂h_{j−1}, starting from the empty product (the identity) at i = t.
        let P = identity(H);
        for (let i = t; i >= 1; i--) {
          if (i < t) P = matmulSquare(P, jacobian(h, hAt(b, i + 1), W_hh, H), H);
          // g = (∂L_t/∂h_t) P: the gradient of L_t with respect to h_i.
          const g = new Float64Array(H);
          for (let k = 0; k < H; k++) {
            let s = 0;
            for (let m = 0; m < H; m++) s += gT[m]! * P[m * H + k]!;
            g[k] = s;
          }
          accumulate(b, i, g);
        }
      }
    }
  }

  const dtype = model.W_hh.dtype;
  const out = (data: Float64Array, shape: number[]): Tensor => tensor(data, { shape, dtype });
  return {
    loss,
    grads: {
      W_hx: out(gW_hx, [H, I]),
      W_hh: out(gW_hh, [H, H]),
      b_h: out(gb_h, [H]),
      W_ph: out(gW_ph, [O, H]),
      b_p: out(gb_p, [O]),
    },
  };
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/** `∂h_j/∂h_{j−1} = diag(1 − h_j²) W_hh` as an explicit n×n matrix (h_j at `offset` in `h`). */
function jacobian(h: Float64Array, offset: number, W_hh: Float64Array, n: number): Float64Array {
  const J = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = 1 - h[offset + k]! ** 2;
    for (let m = 0; m < n; m++) J[k * n + m] = s * W_hh[k * n + m]!;
  }
  return J;
}

function matmulSquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aik * b[k * n + j]!;
    }
  }
  return c;
}
