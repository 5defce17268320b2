/**
 * The linear map inside the graph layers: PyTorch Geometric's `nn.dense.Linear`, a `y = x·Wᵀ + b`
 * whose initialisation is chosen per layer (GCN and GAT draw their weights Glorot-uniform, SAGE
 * and GIN keep PyTorch's default), and the `glorot_` initialiser PyG applies to attention vectors.
 */
import {
  ShapeError,
  SparseCSR,
  Tensor,
  ValueError,
  fmtShape,
  add,
  nn,
  linear,
  spmm,
  transpose,
  type FloatDType,
  type Generator,
} from '@tensorloom/core-tensor';

/** Throws a ValueError unless `value` is a positive integer (a channel count). */
export function checkChannels(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new ValueError(`${op}: ${name} must be a positive integer, got ${String(value)}`);
}

/** How {@link GraphLinear} draws its weight. */
export type WeightInitializer = 'glorot' | 'kaimingUniform';

/** Options of {@link GraphLinear}. */
export interface GraphLinearOptions {
  /** Size of each input sample. */
  inFeatures: number;
  /** Size of each output sample. */
  outFeatures: number;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** 'glorot' (U(±√(6 / (in + out)))) or 'kaimingUniform' (PyTorch's Linear default). Default 'kaimingUniform'. */
  weightInitializer?: WeightInitializer;
  /** 'zeros', or 'uniform' (U(±1/√in), PyTorch's Linear default). Default 'uniform'. */
  biasInitializer?: 'zeros' | 'uniform';
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights. Default: the global one. */
  generator?: Generator;
}

/**
 * PyG's Glorot initialiser: U(−b, b) with `b = √(6 / (size(−2) + size(−1)))`, the last two axes
 * of `t` (for a weight `[out, in]` that is Xavier-uniform; for an attention vector `[1, heads, C]`
 * it uses heads + C, as PyG does). In place, returns `t`.
 */
export function glorot_(t: Tensor, generator?: Generator): Tensor {
  const rows = t.ndim >= 2 ? t.shape[t.ndim - 2]! : 1;
  const cols = t.ndim >= 1 ? t.shape[t.ndim - 1]! : 1;
  const bound = Math.sqrt(6 / (rows + cols));
  return nn.init.uniform_(t, { a: -bound, b: bound, generator });
}

/** Fewest elements for which a dense input is scanned for zeros (below, the GEMM is cheap anyway). */
const SPARSE_SCAN_FROM = 65536;
/** Largest share of non-zeros for which a dense input is multiplied as a sparse matrix. */
const SPARSE_DENSITY = 0.05;
/**
 * Fewest output features for which the scan pays. Measured on Cora's dropped [2708, 1433] input,
 * wasm backend, forward and backward, best of 30: 16 outputs 6.8 ms against 11.1 ms for the dense
 * GEMMs, 64 outputs 7.8 against 26.9 ms; below 16 the GEMMs cost about what the scan does.
 */
const SPARSE_OUT_FROM = 16;

/**
 * x as a SparseCSR of its non-zeros when x is a float `[N, inFeatures]` matrix that needs no
 * gradient, has at least {@link SPARSE_SCAN_FROM} elements and at most {@link SPARSE_DENSITY} of
 * them non-zero, and the layer has at least {@link SPARSE_OUT_FROM} outputs; else null. One pass:
 * it stops as soon as the limit is passed, so a dense matrix costs a small part of it.
 */
function sparseInput(x: Tensor, inFeatures: number, outFeatures: number): SparseCSR | null {
  if (x.requiresGrad || x.ndim !== 2 || x.shape[1] !== inFeatures || outFeatures < SPARSE_OUT_FROM) return null;
  if ((x.dtype !== 'float32' && x.dtype !== 'float64') || x.size < SPARSE_SCAN_FROM) return null;
  const rows = x.shape[0]!;
  const data = x.data as Float32Array | Float64Array;
  const limit = Math.floor(x.size * SPARSE_DENSITY);
  const rowPtr = new Int32Array(rows + 1);
  const colIndex = new Int32Array(limit);
  const values = x.dtype === 'float32' ? new Float32Array(limit) : new Float64Array(limit);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * inFeatures;
    for (let c = 0; c < inFeatures; c++) {
      const v = data[base + c]!;
      if (v === 0) continue;
      if (k === limit) return null;
      colIndex[k] = c;
      values[k++] = v;
    }
    rowPtr[r + 1] = k;
  }
  return new SparseCSR({
    shape: [rows, inFeatures],
    rowPtr,
    colIndex: colIndex.slice(0, k),
    values: new Tensor(values.slice(0, k), [k], x.dtype),
  });
}

/**
 * `y = x·Wᵀ + b` with PyG's per-layer initialisers; the state dict is `weight` `[out, in]` and
 * `bias` `[out]`, as `torch.nn.Linear`.
 *
 * Shapes: x `[*, inFeatures]` → `[*, outFeatures]`; a SparseCSR x `[N, inFeatures]` (sparse
 * features) is multiplied as it is, `spmm(x, Wᵀ)`, without densifying it. A dense 2-D x that needs
 * no gradient and is at most 5% non-zero (bag-of-words features after dropout: Cora's are 0.5%), in
 * a layer of at least 16 outputs, is read as a SparseCSR of its non-zeros too: one scan and a sparse
 * product instead of two dense GEMMs (forward and the weight's gradient; see SPARSE_OUT_FROM).
 * The result differs from the dense product only where the weight holds NaN or ±Infinity (0·∞ is
 * not formed), and in the rounding of the sums.
 * @example new GraphLinear({ inFeatures: 8, outFeatures: 4, bias: false, weightInitializer: 'glorot' }).call(randn([5, 8]))  // [5, 4]
 */
export class GraphLinear extends nn.Module<[Tensor | SparseCSR], Tensor> {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weightInitializer: WeightInitializer;
  readonly biasInitializer: 'zeros' | 'uniform';
  readonly generator: Generator | undefined;

  constructor(options: GraphLinearOptions) {
    super();
    const {
      inFeatures,
      outFeatures,
      bias = true,
      weightInitializer = 'kaimingUniform',
      biasInitializer = 'uniform',
      dtype = 'float32',
      generator,
    } = options;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weightInitializer = weightInitializer;
    this.biasInitializer = biasInitializer;
    this.generator = generator;
    checkChannels('Linear', 'inFeatures', inFeatures);
    checkChannels('Linear', 'outFeatures', outFeatures);
    this.registerParameter('weight', Tensor.empty([outFeatures, inFeatures], dtype));
    this.registerParameter('bias', bias ? Tensor.empty([outFeatures], dtype) : null);
    this.resetParameters();
  }

  override get typeName(): string {
    return 'Linear';
  }

  /** `[outFeatures, inFeatures]`. */
  get weight(): Tensor {
    return this.getParameter('weight')!;
  }

  /** `[outFeatures]`, or null without bias. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    if (this.weightInitializer === 'glorot') glorot_(this.weight, generator);
    else nn.init.kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    const bias = this.bias;
    if (bias === null) return;
    if (this.biasInitializer === 'zeros') nn.init.zeros_(bias);
    else {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      nn.init.uniform_(bias, { a: -bound, b: bound, generator });
    }
  }

  forward(x: Tensor | SparseCSR): Tensor {
    if (!(x instanceof SparseCSR)) {
      const sparse = sparseInput(x, this.inFeatures, this.outFeatures);
      if (sparse === null) return linear(x, this.weight, this.bias);
      x = sparse;
    }
    if (x.shape[1] !== this.inFeatures)
      throw new ShapeError(`Linear: x must be [N, ${this.inFeatures}], got a SparseCSR ${fmtShape(x.shape)}`);
    const out = spmm(x, transpose(this.weight, 0, 1));
    return this.bias === null ? out : add(out, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
