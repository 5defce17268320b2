import type { DType, FloatArray, TypedArray } from '../dtype.js';
import type {
  ActivationBackwardArgs,
  ArgReduceArgs,
  BinaryArgs,
  CopyArgs,
  CrossEntropyBackwardArgs,
  CrossEntropyForwardArgs,
  GatherArgs,
  GRUCellBackwardArgs,
  GRUCellForwardArgs,
  GRUSequenceBackwardArgs,
  GRUSequenceForwardArgs,
  IndexAddArgs,
  IndexSelectArgs,
  LSTMCellBackwardArgs,
  LSTMCellForwardArgs,
  LSTMSequenceBackwardArgs,
  LSTMSequenceForwardArgs,
  LSTMStepperArgs,
  MatmulArgs,
  ReduceArgs,
  ScatterAddArgs,
  ScatterReduceArgs,
  SddmmCSRArgs,
  SegmentSoftmaxArgs,
  SegmentSoftmaxBackwardArgs,
  SoftmaxArgs,
  SpmmCSRArgs,
  UnaryArgs,
  WhereArgs,
} from './kernel-args.js';

export type * from './kernel-args.js';

/**
 * The kernel contract, by capability. Ops validate their inputs, allocate outputs through `alloc` and
 * call these kernels; gradients are written with public ops, so a new backend needs nothing but this
 * file's interfaces. Every kernel takes one arguments object. All arrays are contiguous row-major
 * storage unless a kernel takes explicit strides. Kernels never allocate their outputs: `out` is
 * always given (and may be assumed zero-filled only where a kernel says so).
 *
 * - `CoreKernels`: what every backend implements (elementwise, layout, reductions, matmul, indexing).
 * - `RecurrentKernels`, `LossKernels`, `SparseKernels`: fused and sparse kernels a backend may speed
 *   up. Where it does not, the js reference kernels run: `registerBackend` fills them in (one place).
 * - `BackendKernels` is what a backend provides; `Backend`, every kernel, is what ops call.
 */

/** The kernels every backend implements. */
export interface CoreKernels {
  readonly name: string;

  /** Zero-filled storage of `size` elements. A wasm backend may return views of its own memory. */
  alloc(dtype: DType, size: number): TypedArray;

  // ---- elementwise --------------------------------------------------------------------------
  /**
   * `out[i] = f(x[i])`; `p0`, `p1` carry parameters (slope, alpha, min, max). Float arrays for all
   * ops; `neg`, `abs`, `sign`, `square`, `relu`, `clamp`, `addScalar`, `mulScalar` and `isnan` are
   * also called on int32 storage (int32 results wrap as C integers do).
   */
  unary(args: UnaryArgs): void;
  /**
   * `out[idx] = f(a[idx·aStrides], b[idx·bStrides])` over `shape` (the broadcast output shape);
   * a stride of 0 broadcasts. `out` is contiguous. Comparisons write 0/1 into an int32 `out`.
   */
  binary(args: BinaryArgs): void;
  /** `out = cond ? a : b` with broadcasting strides for each input (cond is nonzero = true). */
  where(args: WhereArgs): void;

  // ---- layout ---------------------------------------------------------------------------------
  /**
   * Strided copy: for every index `idx` of `shape`,
   * `dst[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides]`.
   * Serves permute, expand, slice, concat and stack.
   */
  copy(args: CopyArgs): void;

  // ---- reductions (over the middle axis of an [outer, size, inner] view) -----------------------
  /** `out[o, i] = reduce_k x[o, k, i]`; `out` has `outer·inner` elements. Empty sum is 0, empty max is -Infinity. */
  reduce(args: ReduceArgs): void;
  /** Index of the first max / min along the middle axis (NaN counts as the max, as in PyTorch). */
  argReduce(args: ArgReduceArgs): void;
  /** Softmax (or log-softmax) along the middle axis, numerically stable. */
  softmax(args: SoftmaxArgs): void;

  // ---- matmul ---------------------------------------------------------------------------------
  /**
   * Batched GEMM: for each batch b, `C_b = op(A_b) · op(B_b)` (`op` = transpose when the flag is
   * set, read in place: no copy). `A_b` starts at `b·aBatchStride`, and so on; a batch stride of 0
   * broadcasts one matrix over the batch. `out` is written (not accumulated).
   * Shapes: op(A) is [m, k], op(B) is [k, n], C is [m, n]; a stored A is [m, k] or, transposed, [k, m].
   */
  matmul(args: MatmulArgs): void;

  // ---- indexing (over an [outer, size, inner] view of the indexed axis) -------------------------
  /** `out[o, j, i] = x[o, index[j], i]` for j < index.length; `out` is [outer, index.length, inner]. */
  indexSelect(args: IndexSelectArgs): void;
  /** `out[o, index[j], i] += src[o, j, i]`; `out` is [outer, size, inner], accumulated into. */
  indexAdd(args: IndexAddArgs): void;
  /**
   * torch.gather along the middle axis: `out[o, j, i] = x[o, index[o, j, i], i]`, where x is
   * [outer, size, inner] and index / out are [outer, indexSize, inner].
   */
  gather(args: GatherArgs): void;
  /** torch.scatter_add_ along the middle axis: `out[o, index[o, j, i], i] += src[o, j, i]`. */
  scatterAdd(args: ScatterAddArgs): void;
}

/** Fused recurrent cells and sequences (all arrays one dtype; `rows` = batch, `hidden` = H). */
export interface RecurrentKernels {
  /**
   * The LSTM pointwise step. `gates` is [rows, 4H], the pre-activations packed i, f, g, o (PyTorch's
   * order); `cPrev`, `h` and `c` are [rows, H]:
   * `c = σ(f) ⊙ cPrev + σ(i) ⊙ tanh(g)`, `h = σ(o) ⊙ tanh(c)` (tanh of c as stored in `c`).
   * σ must not overflow for any input. `saved`, when given, is [rows, 5H] and receives per row the
   * blocks σ(i), σ(f), tanh(g), σ(o), tanh(c): all that `lstmCellBackward` reads.
   */
  lstmCellForward(args: LSTMCellForwardArgs): void;
  /**
   * The gradient of `lstmCellForward` from its `saved` activations: given `dh`, `dc` [rows, H]
   * (the gradients of h and c), with `dcTotal = dc + dh ⊙ σ(o) ⊙ (1 − tanh²c)`, writes
   * `dGates` [rows, 4H] = (dcTotal ⊙ tanh g ⊙ σi(1−σi), dcTotal ⊙ cPrev ⊙ σf(1−σf),
   * dcTotal ⊙ σi ⊙ (1 − tanh²g), dh ⊙ tanh c ⊙ σo(1−σo)) and `dcPrev` [rows, H] = dcTotal ⊙ σ(f).
   */
  lstmCellBackward(args: LSTMCellBackwardArgs): void;
  /**
   * The GRU pointwise step (PyTorch's formula). `xProj` = x·W_ihᵀ + b_ih and `hProj` = h·W_hhᵀ + b_hh
   * are [rows, 3H], packed r, z, n; `hPrev` and `h` are [rows, H]:
   * `r = σ(x_r + h_r)`, `z = σ(x_z + h_z)`, `n = tanh(x_n + r ⊙ h_n)`, `h = n + z ⊙ (hPrev − n)`.
   * `saved`, when given, is [rows, 3H] and receives per row the blocks r, z, n.
   */
  gruCellForward(args: GRUCellForwardArgs): void;
  /**
   * The gradient of `gruCellForward` from its `saved` r, z, n and `dh` [rows, H]: with
   * `dn = dh ⊙ (1 − z) ⊙ (1 − n²)`, `dr = dn ⊙ h_n ⊙ r(1−r)`, `dz = dh ⊙ (hPrev − n) ⊙ z(1−z)`, writes
   * `dxProj` [rows, 3H] = (dr, dz, dn), `dhProj` [rows, 3H] = (dr, dz, dn ⊙ r) and
   * `dhPrev` [rows, H] = dh ⊙ z (the direct term only; the path through hProj is the caller's).
   */
  gruCellBackward(args: GRUCellBackwardArgs): void;

  // A whole layer-direction at once: every step's GEMM and cell. Time-major storage, all arrays one
  // dtype. Step order is t = 0, 1, …, T−1, or T−1, …, 0 with `reverse`; "the previous state" of the
  // first step processed is h0 (c0), of any other step the state the step before it (in processing
  // order) wrote. `steps` ≥ 1; `rows` may be 0.
  /**
   * The LSTM recurrence over all steps. `xProj` [T, B, 4H] holds x_t·W_ihᵀ (packed i, f, g, o),
   * `h0`, `c0` [B, H], `weightHH` [4H, H] and `bias` [4H] the bias of every step's gates (b_ih + b_hh,
   * or whatever of them xProj does not hold; null = none). Per step t, with hPrev, cPrev the previous
   * state: `gates = xProj[t] + hPrev·W_hhᵀ + bias`, then `lstmCellForward`:
   * `c_t = σ(f) ⊙ cPrev + σ(i) ⊙ tanh(g)`, `hs[t] = σ(o) ⊙ tanh(c_t)`. Writes `hs` [T, B, H] and
   * `cLast` [B, H], the c of the last step processed (the final h is hs at that step).
   *
   * With `train`, returns what the backward reads (each step's σi, σf, tanh g, σo, tanh c and the
   * states), kept where the backend likes (the wasm backend: in its memory, so nothing is copied
   * out and in again); else returns null. The arrays passed in may be reused once the call returns:
   * residuals hold copies, except that they may keep `hs` and `h0` (which the caller must then leave
   * unchanged until it releases them).
   */
  lstmSequenceForward(args: LSTMSequenceForwardArgs): SequenceResiduals | null;
  /**
   * Backpropagation through `lstmSequenceForward` from the `residuals` it returned (this backend's).
   * Inputs are the gradients of the outputs: `dHs` [T, B, H] (of hs), `dhLast`, `dcLast` [B, H] (of
   * the final h and c); null = zeros. Walking the steps in reverse processing order, with
   * `dh = dHs[t] + (the recurrent gradient from the step after)` (plus dhLast on the last step) and
   * the carried dc, `lstmCellBackward` gives `dXProj[t]` [B, 4H] (the gradient of the gate
   * pre-activations, so also of xProj[t] and, summed, of the bias) and the next carried dc; the
   * recurrent gradient is `dXProj[t]·W_hh`. Writes `dXProj` [T, B, 4H], `dh0`, `dc0` [B, H] (the
   * gradients of h0 and c0), when given `dWeightHH` [4H, H] = Σ_t dXProj[t]ᵀ·hPrev_t and `dBias`
   * [4H] = dXProj summed over steps and rows (the gradient of the bias). May run any number of times
   * on the same residuals until they are released.
   */
  lstmSequenceBackward(args: LSTMSequenceBackwardArgs): void;
  /**
   * PyTorch's GRU recurrence over all steps. `xProj` [T, B, 3H] holds x_t·W_ihᵀ (packed r, z, n),
   * `h0` [B, H], `weightHH` [3H, H], `biasIH` and `biasHH` [3H] (b_ih, unless xProj holds it, and
   * b_hh; null = none). Per step, with hPrev the previous state: `hProj[t] = hPrev·W_hhᵀ + b_hh`,
   * then `gruCellForward(xProj[t] + b_ih, hProj[t], hPrev)` gives `hs[t]` (b_hn stays inside the
   * reset product). Writes `hs` [T, B, H] and, when given (both or neither), `saved` [T, B, 3H]
   * (r, z, n as `gruCellForward` saves them) and `hProj` [T, B, 3H].
   */
  gruSequenceForward(args: GRUSequenceForwardArgs): void;
  /**
   * Backpropagation through `gruSequenceForward` from its `saved`, `hProj` and the states (`h0`,
   * `hs`). With `dh = dHs[t] + dhLast (last step) + the direct z ⊙ dh and the recurrent
   * dHProj·W_hh terms from the step after`, `gruCellBackward` gives per step `dXProj[t]` [B, 3H]
   * (= dr, dz, dn; summed over rows, the gradient of b_ih) and `dHProj[t]` [B, 3H] (= dr, dz, dn ⊙ r:
   * the gradient of hProj[t], so of b_hh summed over rows, and of W_hh as Σ_t dHProj[t]ᵀ·hPrev_t,
   * left to the caller). `dHs`, `dhLast` null = zeros. Writes `dXProj`, `dHProj` and `dh0` [B, H].
   */
  gruSequenceBackward(args: GRUSequenceBackwardArgs): void;
}

/** The fused softmax cross-entropy over class-index targets. */
export interface LossKernels {
  /**
   * Per row n of `logits` [rows, classes], with the row max `m_n` and `s_n = log Σ_c exp(x_nc − m_n)`
   * (so `logp_nc = (x_nc − m_n) − s_n`), w the class weights (all 1 when `weight` is null) and
   * t = target[n]: `losses[n] = (1 − ε)·(−w_t·logp_nt) + (ε / C)·(−Σ_c w_c·logp_nc)`, the second
   * term left out when ε = 0, and `losses[n] = 0` where `t = ignoreIndex`. `rowMax[n] = m_n` and
   * `logSum[n] = s_n` are written for every row (kept apart, not as `m + s`, so that the backward
   * pass loses nothing to rounding when the logits are large). A NaN in a row makes m_n NaN.
   * Targets are checked by the op: each is `ignoreIndex` or in [0, classes).
   */
  crossEntropyForward(args: CrossEntropyForwardArgs): void;
  /**
   * The gradient of `crossEntropyForward` in one pass, from its `rowMax` and `logSum`: with
   * `p_nc = exp((x_nc − m_n) − s_n)` and `g_n = gradLosses[n]`,
   * `dLogits[n, c] = g_n·(p_nc·((1 − ε)·w_t + (ε / C)·Σ_k w_k) − (1 − ε)·w_t·[c = t] − (ε / C)·w_c)`
   * (softmax minus the weighted target distribution), and 0 on rows whose target is `ignoreIndex`.
   * `dLogits` is written, not accumulated.
   */
  crossEntropyBackward(args: CrossEntropyBackwardArgs): void;
}

/**
 * Sparse (CSR) and segment kernels, for graph neural networks. A CSR matrix A [rows, cols] is
 * `rowPtr` (rows + 1 offsets, rowPtr[0] = 0) and `colIndex` (rowPtr[rows] column indices, each in
 * [0, cols)); the entries of row r are k in [rowPtr[r], rowPtr[r + 1]). Ops check the structure
 * and every index before calling.
 */
export interface SparseKernels {
  /**
   * Sparse times dense: `out[r, f] = Σ_{k ∈ row r} v_k · x[colIndex[k], f]` for r < rows, f < feat,
   * with `v_k = values[k]` (all 1 when `values` is null). x is row-major [cols, feat], out is
   * [rows, feat], written (not accumulated): a row without entries is zeros. Duplicate entries add
   * up; NaN and ±Infinity propagate as in the dense product.
   */
  spmmCsr(args: SpmmCSRArgs): void;
  /**
   * Sampled dense-dense product (the values gradient of `spmmCsr`): for every entry k of row r,
   * `out[k] = Σ_f a[r, f] · b[colIndex[k], f]`, with a row-major [rows, feat] and b [cols, feat];
   * out has nnz = rowPtr[rows] elements, written. feat = 0 writes zeros.
   */
  sddmmCsr(args: SddmmCSRArgs): void;
  /**
   * Scatter max / min along the first axis of src [entries, inner] by `index` (entries values,
   * each in [0, size)): `out[s, i]` = the max (min) of `src[e, i]` over the e with `index[e] = s`,
   * and `arg[s, i]` = the first such e that attains it; a position no entry reaches gets 0 in `out`
   * and −1 in `arg`. NaN counts as the extreme (the first NaN wins), as in `argReduce`. out and
   * arg are [size, inner], written (not accumulated); entries = index.length.
   */
  scatterReduce(args: ScatterReduceArgs): void;
  /**
   * Softmax over the entries that share an index, per column: with src [entries, inner] and
   * `index[e]` in [0, size), `m[s, i] = max_{e: index[e] = s} src[e, i]`,
   * `z[s, i] = Σ_{e: index[e] = s} exp(src[e, i] − m[s, i])` and
   * `out[e, i] = exp(src[e, i] − m[index[e], i]) / z[index[e], i]`. `segmentMax` and `segmentSum`
   * ([size, inner], written) receive m and z; a segment without entries has m = −Infinity and z = 0
   * (and produces no output). A segment whose max is ±Infinity or NaN gives NaN, as the dense softmax.
   */
  segmentSoftmax(args: SegmentSoftmaxArgs): void;
  /**
   * The gradient of `segmentSoftmax` from its output y and the gradient g of y (all [entries, inner],
   * out written): `out[e, i] = y[e, i] · (g[e, i] − d[index[e], i])` with
   * `d[s, i] = Σ_{e: index[e] = s} g[e, i] · y[e, i]`.
   */
  segmentSoftmaxBackward(args: SegmentSoftmaxBackwardArgs): void;
}

/** Fused gradients of the piecewise activations (one pass instead of compare, select and multiply). */
export interface ActivationKernels {
  /**
   * `out[i]` = the gradient of x[i] through the activation `op`, from its input `x`, output `y` and
   * the gradient `g` of y (all of one float dtype and length; out is written):
   * relu `y[i] ≤ 0 ? 0 : g[i]`; leakyRelu `x[i] > 0 ? g[i] : p0·g[i]`; elu (alpha = p0)
   * `x[i] ≤ 0 ? g[i]·(y[i] + p0) : g[i]`. A NaN compares false (relu and elu pass g, leakyRelu
   * scales it), as the composed `where(compare(...))` the ops used before.
   */
  activationBackward(args: ActivationBackwardArgs): void;
}

/**
 * Recurrent steppers: a model's weights handed to the backend once, for many single steps
 * (generation), instead of being copied and packed on every step as separate ops would.
 */
export interface StepperKernels {
  /**
   * A stacked LSTM over tokens with a linear head, for `args.rows` rows at a time (inference only).
   * Its state h, c (`[L, rows, H]`) starts at zero. Each `step(tokens, logits)` does, per row r with
   * token t = tokens[r] (in [0, V), checked by the op):
   * layer 0 `gates = inputTable[t] + h⁰·W_hh⁰ᵀ`, layer k > 0 `gates = hᵏ⁻¹·W_ihᵏᵀ + hᵏ·W_hhᵏᵀ + bᵏ`
   * (hᵏ⁻¹ the new h of the layer below), each then `lstmCellForward`'s cell; and
   * `logits[r] = h^(L−1)·Wᵀ + b` ([rows, O], written). The backend keeps copies of the weights (the
   * wasm backend: packed, with the state, in a region of its memory); `dispose()` frees them.
   */
  createLstmStepper(args: LSTMStepperArgs): LSTMStepperKernel;
}

/** What `createLstmStepper` returns: a backend's stepper, owning copies of the weights and the state. */
export interface LSTMStepperKernel {
  /** One step of every row: reads `tokens` [rows], writes `logits` [rows, O] (the args' dtype), advances the state. */
  step(tokens: Int32Array, logits: FloatArray): void;
  /** Copies the state into `h`, `c` ([L, rows, H] each). */
  readState(h: FloatArray, c: FloatArray): void;
  /** Sets the state from `h`, `c` ([L, rows, H] each). */
  writeState(h: FloatArray, c: FloatArray): void;
  /** Frees what the stepper holds; a step after it throws `BackendError`. Disposing twice does nothing. */
  dispose(): void;
}

/** The kernels a backend may leave out (the js ones run instead), by name. */
export type OptionalKernels = RecurrentKernels & LossKernels & SparseKernels & ActivationKernels & StepperKernels;

/**
 * What a backend provides: every core kernel, and any of the optional ones it speeds up. This is
 * what `registerBackend` takes.
 */
export interface BackendKernels extends CoreKernels, Partial<OptionalKernels> {}

/** Every kernel, as ops call them: what `getBackend()` returns (a registered backend, completed). */
export interface Backend extends CoreKernels, RecurrentKernels, LossKernels, SparseKernels, ActivationKernels, StepperKernels {}

/** The reductions of `Backend.scatterReduce`. */
export type ScatterReduceOp = 'max' | 'min';

export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'abs'
  | 'sign'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'leakyRelu' // p0 = negative slope
  | 'elu' // p0 = alpha
  | 'gelu' // exact, with erf
  | 'geluTanh' // the tanh approximation
  | 'erf'
  | 'sin'
  | 'cos'
  | 'reciprocal'
  | 'square'
  | 'clamp' // p0 = min (or -Infinity), p1 = max (or Infinity)
  | 'powScalar' // p0 = exponent
  | 'addScalar' // p0
  | 'mulScalar' // p0
  | 'isnan';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';
export type ArgReduceOp = 'argmax' | 'argmin';

export interface MatmulParams {
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  aBatchStride: number;
  bBatchStride: number;
}

/** The sizes and options of the fused cross-entropy kernels. */
export interface CrossEntropyParams {
  rows: number;
  classes: number;
  /** Rows whose target equals this contribute nothing. */
  ignoreIndex: number;
  /** ε in [0, 1]: the target distribution is `(1 − ε)·onehot(t) + ε / C`. */
  labelSmoothing: number;
}

/**
 * What a sequence's forward keeps for its backward, owned by the backend that made it (opaque to
 * ops). `release()` gives its storage back (for the wasm backend, to the pool of its memory); a
 * backward after that throws `BackendError`. Releasing twice does nothing.
 */
export interface SequenceResiduals {
  /** The name of the backend that made it. */
  readonly backend: string;
  /** Whether `release()` has run. */
  readonly released: boolean;
  release(): void;
  /**
   * Optional: leaves the release to the backend, which calls `spent` whenever it next needs memory
   * and releases the residuals once it returns true (the op says when no backward can read them).
   */
  releaseWhen?(spent: () => boolean): void;
}

/** The sizes of the fused sequence kernels (`lstmSequenceForward` and the others). */
export interface RecurrentSequenceParams {
  /** Time steps T (≥ 1). */
  steps: number;
  /** Batch rows B. */
  rows: number;
  /** Hidden size H. */
  hidden: number;
  /** Process the steps from T − 1 down to 0 (the reverse direction of a bidirectional layer). */
  reverse: boolean;
}
