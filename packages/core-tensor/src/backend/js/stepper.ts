/**
 * The js backend's LSTM stepper (`Backend.createLstmStepper`): plain loops over copies of the
 * weights, in the args' dtype, with the state in arrays of that dtype. The reference the wasm
 * stepper is tested against, and the path of float64 models and of backends without a stepper.
 */
import { BackendError } from '../../errors.js';
import type { FloatArray } from '../../dtype.js';
import type { LSTMStepperArgs, LSTMStepperKernel } from '../backend.js';
import { lstmCellForward } from './recurrent.js';

/** A zeroed array of `x`'s type. */
function like(x: FloatArray, size: number): FloatArray {
  return x instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
}

/**
 * `out[r, j] (+)= Σ_k x[r, k]·w[j, k]` for r < rows, j < n: x `[rows, k]` at `xOffset` with row
 * stride `ldx`, w `[n, k]`, out `[rows, n]` (written, or accumulated with `accumulate`).
 */
function matmulRows(
  x: FloatArray,
  xOffset: number,
  ldx: number,
  w: FloatArray,
  rows: number,
  n: number,
  k: number,
  out: FloatArray,
  accumulate: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const xr = xOffset + r * ldx;
    for (let j = 0; j < n; j++) {
      const wj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += x[xr + p]! * w[wj + p]!;
      out[r * n + j] = accumulate ? out[r * n + j]! + s : s;
    }
  }
}

/** `Backend.createLstmStepper` in plain TypeScript (see the contract in backend.ts). */
export function createLstmStepper(args: LSTMStepperArgs): LSTMStepperKernel {
  const { layers, hidden: H, outputs: O, rows: B } = args;
  const L = layers.length;
  // Copies: the stepper must not see later changes to the caller's arrays (an optimizer step).
  const table = args.inputTable.slice();
  const weightsIH = layers.map((layer) => layer.weightIH?.slice() ?? null);
  const weightsHH = layers.map((layer) => layer.weightHH.slice());
  const biases = layers.map((layer) => layer.bias?.slice() ?? null);
  const headWeight = args.headWeight.slice();
  const headBias = args.headBias?.slice() ?? null;
  // State per layer [B, H]; the cell updates c in place (it reads cPrev[j] before writing c[j]).
  const h = layers.map(() => like(table, B * H));
  const c = layers.map(() => like(table, B * H));
  const gates = like(table, B * 4 * H);
  let disposed = false;

  return {
    step(tokens: Int32Array, logits: FloatArray): void {
      if (disposed) throw new BackendError('LSTM stepper: step after dispose');
      for (let l = 0; l < L; l++) {
        const hl = h[l]!;
        if (l === 0) {
          for (let r = 0; r < B; r++) gates.set(table.subarray(tokens[r]! * 4 * H, (tokens[r]! + 1) * 4 * H), r * 4 * H);
        } else {
          matmulRows(h[l - 1]!, 0, H, weightsIH[l]!, B, 4 * H, H, gates, false);
          const bias = biases[l];
          if (bias !== null && bias !== undefined) {
            for (let r = 0; r < B; r++) for (let j = 0; j < 4 * H; j++) gates[r * 4 * H + j] = gates[r * 4 * H + j]! + bias[j]!;
          }
        }
        matmulRows(hl, 0, H, weightsHH[l]!, B, 4 * H, H, gates, true);
        lstmCellForward({ gates, cPrev: c[l]!, rows: B, hidden: H, h: hl, c: c[l]!, saved: null });
      }
      matmulRows(h[L - 1]!, 0, H, headWeight, B, O, H, logits, false);
      if (headBias !== null) for (let r = 0; r < B; r++) for (let j = 0; j < O; j++) logits[r * O + j] = logits[r * O + j]! + headBias[j]!;
    },
    readState(hOut: FloatArray, cOut: FloatArray): void {
      for (let l = 0; l < L; l++) {
        hOut.set(h[l]!, l * B * H);
        cOut.set(c[l]!, l * B * H);
      }
    },
    writeState(hIn: FloatArray, cIn: FloatArray): void {
      for (let l = 0; l < L; l++) {
        h[l]!.set(hIn.subarray(l * B * H, (l + 1) * B * H));
        c[l]!.set(cIn.subarray(l * B * H, (l + 1) * B * H));
      }
    },
    dispose(): void {
      disposed = true;
    },
  };
}
