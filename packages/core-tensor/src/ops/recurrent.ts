/**
 * Fused recurrent cells: the pointwise part of one LSTM or GRU step as a single kernel each way
 * (the matrix products around it stay `linear`/`matmul`). Same values as the composition of public
 * ops (`sigmoid`, `tanh`, `mul`, `add` over `chunk`ed gates), with one tape node instead of a dozen.
 *
 * The LSTM step has two outputs, h and c, and one backward that needs both of their gradients:
 * `recordMany` of the tape records it (a missing gradient is zero).
 */
import { isGradEnabled, record, recordMany } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import { promoteTypes, type FloatArray, type FloatDType } from '../dtype.js';
import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { assertFloat, castData } from './helpers.js';

/** The new state of an LSTM step. */
export interface LSTMCellOutput {
  /** `σ(o) ⊙ tanh(c)`, `[..., H]`. */
  h: Tensor;
  /** `σ(f) ⊙ cPrev + σ(i) ⊙ tanh(g)`, `[..., H]`. */
  c: Tensor;
}

/** Brings float inputs to their common dtype (a recorded cast where one differs). */
function promoteFloats(op: string, inputs: readonly Tensor[]): { dtype: FloatDType; tensors: Tensor[] } {
  for (const t of inputs) assertFloat(op, t);
  const dtype = inputs.reduce((d, t) => promoteTypes(d, t.dtype), inputs[0]!.dtype) as FloatDType;
  return { dtype, tensors: inputs.map((t) => cast(t, dtype)) };
}

/** Checks that `x` is `[...lead, width]` and returns the number of rows, the product of `lead`. */
function rowsOf(op: string, name: string, x: Tensor, lead: readonly number[], width: number): number {
  const fits = x.ndim === lead.length + 1 && lead.every((d, i) => x.shape[i] === d) && x.shape[lead.length] === width;
  if (!fits) throw new ShapeError(`${op}: expected ${name} of shape ${fmtShape([...lead, width])}, got ${fmtShape(x.shape)}`);
  return lead.reduce((p, d) => p * d, 1);
}

/** A gradient's storage in `dtype`, or zeros of `size` where no gradient flowed. */
function gradData(g: Tensor | null | undefined, dtype: FloatDType, size: number): FloatArray {
  return (g === null || g === undefined ? getBackend().alloc(dtype, size) : castData(g, dtype).data) as FloatArray;
}

/**
 * The pointwise part of one LSTM step, fused (one kernel forward, one backward). With the gate
 * pre-activations packed i, f, g, o as in PyTorch (`gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh`):
 *
 * ```
 * i, f, g, o = chunk(gates, 4, -1)
 * c = σ(f) ⊙ cPrev + σ(i) ⊙ tanh(g)
 * h = σ(o) ⊙ tanh(c)
 * ```
 *
 * Its values equal that composition of public ops bit for bit in float64 (gradients to
 * rounding); differentiable in `gates` and `cPrev`. Float inputs of different dtypes are promoted. An LSTM with a projection applies
 * `linear(h, weight_hr)` afterwards.
 *
 * Shapes: gates `[..., 4H]`, cPrev `[..., H]` (the same leading shape) → h, c `[..., H]`.
 * @example
 * const gates = add(xProj, linear(h, weightHh, biasHh));  // [B, 4H]
 * const { h: hNext, c: cNext } = lstmCell(gates, c);     // [B, H] each
 */
export function lstmCell(gates: Tensor, cPrev: Tensor): LSTMCellOutput {
  const op = 'lstmCell';
  const {
    dtype,
    tensors: [g, c0],
  } = promoteFloats(op, [gates, cPrev]) as { dtype: FloatDType; tensors: [Tensor, Tensor] };
  if (c0.ndim === 0) throw new ShapeError(`${op}: cPrev must be at least 1-D [..., H], got a 0-d tensor`);
  const lead = c0.shape.slice(0, -1);
  const H = c0.shape[c0.ndim - 1]!;
  const rows = rowsOf(op, 'gates', g, lead, 4 * H);
  const h = Tensor.empty(c0.shape, dtype);
  const c = Tensor.empty(c0.shape, dtype);
  const track = isGradEnabled() && (g.requiresGrad || c0.requiresGrad);
  const backend = getBackend();
  const saved = track ? (backend.alloc(dtype, rows * 5 * H) as FloatArray) : null;
  backend.lstmCellForward({
    gates: g.data as FloatArray,
    cPrev: c0.data as FloatArray,
    rows,
    hidden: H,
    h: h.data as FloatArray,
    c: c.data as FloatArray,
    saved,
  });
  recordMany([h, c], op, [g, c0], ([dh, dc]) => {
    const dGates = Tensor.empty(g.shape, dtype);
    const dcPrev = Tensor.empty(c0.shape, dtype);
    const size = rows * H;
    getBackend().lstmCellBackward({
      saved: saved!,
      cPrev: c0.data as FloatArray,
      dh: gradData(dh, dtype, size),
      dc: gradData(dc, dtype, size),
      rows,
      hidden: H,
      dGates: dGates.data as FloatArray,
      dcPrev: dcPrev.data as FloatArray,
    });
    return [g.requiresGrad ? dGates : null, c0.requiresGrad ? dcPrev : null];
  });
  return { h, c };
}

/**
 * The pointwise part of one GRU step, fused, with PyTorch's formula (the reset gate multiplies
 * the projected hidden state including its bias b_hn). With `xProj = x·W_ihᵀ + b_ih` and
 * `hProj = hPrev·W_hhᵀ + b_hh`, each packed r, z, n:
 *
 * ```
 * r = σ(x_r + h_r)
 * z = σ(x_z + h_z)
 * n = tanh(x_n + r ⊙ h_n)
 * h = (1 − z) ⊙ n + z ⊙ hPrev  =  n + z ⊙ (hPrev − n)
 * ```
 *
 * Its values equal that composition of public ops bit for bit in float64 (gradients to
 * rounding); differentiable in all three inputs (the gradient of `hPrev` here is the direct `z ⊙ g`; the path through `hProj` is
 * `linear`'s). Float inputs of different dtypes are promoted.
 *
 * Shapes: xProj, hProj `[..., 3H]`, hPrev `[..., H]` (the same leading shape) → `[..., H]`.
 * @example
 * const hNext = gruCell(xProj, linear(h, weightHh, biasHh), h);  // [B, H]
 */
export function gruCell(xProj: Tensor, hProj: Tensor, hPrev: Tensor): Tensor {
  const op = 'gruCell';
  const {
    dtype,
    tensors: [x, hp, h0],
  } = promoteFloats(op, [xProj, hProj, hPrev]) as { dtype: FloatDType; tensors: [Tensor, Tensor, Tensor] };
  if (h0.ndim === 0) throw new ShapeError(`${op}: hPrev must be at least 1-D [..., H], got a 0-d tensor`);
  const lead = h0.shape.slice(0, -1);
  const H = h0.shape[h0.ndim - 1]!;
  const rows = rowsOf(op, 'xProj', x, lead, 3 * H);
  rowsOf(op, 'hProj', hp, lead, 3 * H);
  const h = Tensor.empty(h0.shape, dtype);
  const track = isGradEnabled() && (x.requiresGrad || hp.requiresGrad || h0.requiresGrad);
  const backend = getBackend();
  const saved = track ? (backend.alloc(dtype, rows * 3 * H) as FloatArray) : null;
  backend.gruCellForward({
    xProj: x.data as FloatArray,
    hProj: hp.data as FloatArray,
    hPrev: h0.data as FloatArray,
    rows,
    hidden: H,
    h: h.data as FloatArray,
    saved,
  });
  return record(h, op, [x, hp, h0], (gradOutput) => {
    const dxProj = Tensor.empty(x.shape, dtype);
    const dhProj = Tensor.empty(hp.shape, dtype);
    const dhPrev = Tensor.empty(h0.shape, dtype);
    const dh = gradData(gradOutput, dtype, rows * H);
    getBackend().gruCellBackward({
      saved: saved!,
      hProj: hp.data as FloatArray,
      hPrev: h0.data as FloatArray,
      dh,
      rows,
      hidden: H,
      dxProj: dxProj.data as FloatArray,
      dhProj: dhProj.data as FloatArray,
      dhPrev: dhPrev.data as FloatArray,
    });
    return [x.requiresGrad ? dxProj : null, hp.requiresGrad ? dhProj : null, h0.requiresGrad ? dhPrev : null];
  });
}
