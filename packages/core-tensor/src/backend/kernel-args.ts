/** The arguments object of each kernel of `backend.ts` (one object per call, named fields). */
import type { FloatArray, TypedArray } from '../dtype.js';
import type {
  ArgReduceOp,
  BinaryOp,
  CrossEntropyParams,
  MatmulParams,
  RecurrentSequenceParams,
  ReduceOp,
  ScatterReduceOp,
  SequenceResiduals,
  UnaryOp,
} from './backend.js';

export interface UnaryArgs {
  op: UnaryOp;
  x: TypedArray;
  out: TypedArray;
  /** The op's first parameter (slope, alpha, min, exponent, scalar); default 0. */
  p0?: number;
  /** The op's second parameter (max of `clamp`); default 0. */
  p1?: number;
}

export interface BinaryArgs {
  op: BinaryOp;
  a: TypedArray;
  aStrides: readonly number[];
  b: TypedArray;
  bStrides: readonly number[];
  out: TypedArray;
  /** The broadcast output shape. */
  shape: readonly number[];
}

export interface WhereArgs {
  cond: TypedArray;
  condStrides: readonly number[];
  a: TypedArray;
  aStrides: readonly number[];
  b: TypedArray;
  bStrides: readonly number[];
  out: TypedArray;
  shape: readonly number[];
}

export interface CopyArgs {
  src: TypedArray;
  srcOffset: number;
  srcStrides: readonly number[];
  dst: TypedArray;
  dstOffset: number;
  dstStrides: readonly number[];
  shape: readonly number[];
}

/** An [outer, size, inner] view of `x`, reduced over its middle axis. */
export interface MiddleAxis {
  outer: number;
  size: number;
  inner: number;
}

export interface ReduceArgs extends MiddleAxis {
  op: ReduceOp;
  x: TypedArray;
  out: TypedArray;
}

export interface ArgReduceArgs extends MiddleAxis {
  op: ArgReduceOp;
  x: TypedArray;
  out: Int32Array;
}

export interface SoftmaxArgs extends MiddleAxis {
  x: FloatArray;
  out: FloatArray;
  /** Log-softmax instead. */
  log: boolean;
}

export interface MatmulArgs extends MatmulParams {
  a: FloatArray;
  b: FloatArray;
  out: FloatArray;
}

export interface IndexSelectArgs extends MiddleAxis {
  x: TypedArray;
  index: Int32Array;
  out: TypedArray;
}

export interface IndexAddArgs extends MiddleAxis {
  src: TypedArray;
  index: Int32Array;
  out: TypedArray;
}

export interface GatherArgs extends MiddleAxis {
  x: TypedArray;
  index: Int32Array;
  /** The length of the index's middle axis. */
  indexSize: number;
  out: TypedArray;
}

export interface ScatterAddArgs extends MiddleAxis {
  src: TypedArray;
  index: Int32Array;
  indexSize: number;
  out: TypedArray;
}

export interface LSTMCellForwardArgs {
  gates: FloatArray;
  cPrev: FloatArray;
  rows: number;
  hidden: number;
  h: FloatArray;
  c: FloatArray;
  saved: FloatArray | null;
}

export interface LSTMCellBackwardArgs {
  saved: FloatArray;
  cPrev: FloatArray;
  dh: FloatArray;
  dc: FloatArray;
  rows: number;
  hidden: number;
  dGates: FloatArray;
  dcPrev: FloatArray;
}

export interface GRUCellForwardArgs {
  xProj: FloatArray;
  hProj: FloatArray;
  hPrev: FloatArray;
  rows: number;
  hidden: number;
  h: FloatArray;
  saved: FloatArray | null;
}

export interface GRUCellBackwardArgs {
  saved: FloatArray;
  hProj: FloatArray;
  hPrev: FloatArray;
  dh: FloatArray;
  rows: number;
  hidden: number;
  dxProj: FloatArray;
  dhProj: FloatArray;
  dhPrev: FloatArray;
}

export interface LSTMSequenceForwardArgs {
  xProj: FloatArray;
  h0: FloatArray;
  c0: FloatArray;
  weightHH: FloatArray;
  bias: FloatArray | null;
  params: RecurrentSequenceParams;
  hs: FloatArray;
  cLast: FloatArray;
  /** Keep what the backward reads and return it. */
  train: boolean;
}

export interface LSTMSequenceBackwardArgs {
  weightHH: FloatArray;
  residuals: SequenceResiduals;
  dHs: FloatArray | null;
  dhLast: FloatArray | null;
  dcLast: FloatArray | null;
  params: RecurrentSequenceParams;
  dXProj: FloatArray;
  dh0: FloatArray;
  dc0: FloatArray;
  dWeightHH: FloatArray | null;
  /** When given, [4H]: dXProj summed over steps and rows (the gradient of the gates' bias). */
  dBias?: FloatArray | null;
}

export interface GRUSequenceForwardArgs {
  xProj: FloatArray;
  h0: FloatArray;
  weightHH: FloatArray;
  biasIH: FloatArray | null;
  biasHH: FloatArray | null;
  params: RecurrentSequenceParams;
  hs: FloatArray;
  saved: FloatArray | null;
  hProj: FloatArray | null;
}

export interface GRUSequenceBackwardArgs {
  weightHH: FloatArray;
  saved: FloatArray;
  hProj: FloatArray;
  h0: FloatArray;
  hs: FloatArray;
  dHs: FloatArray | null;
  dhLast: FloatArray | null;
  params: RecurrentSequenceParams;
  dXProj: FloatArray;
  dHProj: FloatArray;
  dh0: FloatArray;
}

export interface CrossEntropyForwardArgs {
  logits: FloatArray;
  target: Int32Array;
  weight: FloatArray | null;
  params: CrossEntropyParams;
  losses: FloatArray;
  rowMax: FloatArray;
  logSum: FloatArray;
}

export interface CrossEntropyBackwardArgs {
  logits: FloatArray;
  target: Int32Array;
  weight: FloatArray | null;
  params: CrossEntropyParams;
  rowMax: FloatArray;
  logSum: FloatArray;
  gradLosses: FloatArray;
  dLogits: FloatArray;
}

/** A CSR structure: `rowPtr` [rows + 1] and `colIndex` [nnz]. */
export interface CSRArgs {
  rowPtr: Int32Array;
  colIndex: Int32Array;
  rows: number;
}

export interface SpmmCSRArgs extends CSRArgs {
  values: FloatArray | null;
  x: FloatArray;
  feat: number;
  out: FloatArray;
}

export interface SddmmCSRArgs extends CSRArgs {
  a: FloatArray;
  b: FloatArray;
  feat: number;
  out: FloatArray;
}

export interface ScatterReduceArgs {
  op: ScatterReduceOp;
  src: TypedArray;
  index: Int32Array;
  size: number;
  inner: number;
  out: TypedArray;
  arg: Int32Array;
}

export interface SegmentSoftmaxArgs {
  src: FloatArray;
  index: Int32Array;
  size: number;
  inner: number;
  out: FloatArray;
  segmentMax: FloatArray;
  segmentSum: FloatArray;
}

export interface SegmentSoftmaxBackwardArgs {
  /** The segment softmax's output [entries, inner]. */
  y: FloatArray;
  /** The gradient of y. */
  g: FloatArray;
  index: Int32Array;
  size: number;
  inner: number;
  /** The gradient of the softmax's input, written. */
  out: FloatArray;
}

/** The activations `activationBackward` differentiates. */
export type ActivationBackwardOp = 'relu' | 'leakyRelu' | 'elu';

export interface ActivationBackwardArgs {
  op: ActivationBackwardOp;
  /** The activation's input (read by leakyRelu and elu). */
  x: FloatArray;
  /** The activation's output (read by relu and elu). */
  y: FloatArray;
  /** The gradient of y. */
  g: FloatArray;
  /** The gradient of x, written. */
  out: FloatArray;
  /** leakyRelu's negative slope, elu's alpha (unused by relu). */
  p0: number;
}

/** One LSTM layer of `createLstmStepper`: W_ih `[4H, in]` (null for layer 0: its input is the table), W_hh `[4H, H]`, b `[4H]`. */
export interface LSTMStepperLayer {
  weightIH: FloatArray | null;
  weightHH: FloatArray;
  /** b_ih + b_hh (null: none; layer 0's is in the table and ignored here). */
  bias: FloatArray | null;
}

export interface LSTMStepperArgs {
  /** `[V, 4H]`: layer 0's input projection per token, `E·W_ih0ᵀ + b_ih0 + b_hh0`. */
  inputTable: FloatArray;
  /** V, the rows of `inputTable` (tokens are in [0, V)). */
  tokens: number;
  /** L ≥ 1 layers; layer k > 0 reads layer k − 1's h (in = H). */
  layers: readonly LSTMStepperLayer[];
  /** H. */
  hidden: number;
  /** The head: W `[O, H]` and b `[O]` (null: none). */
  headWeight: FloatArray;
  headBias: FloatArray | null;
  /** O, the logits per row. */
  outputs: number;
  /** B, the rows every step advances. */
  rows: number;
}
