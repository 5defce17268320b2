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

/**
 * `y = x·Wᵀ + b` with PyG's per-layer initialisers; the state dict is `weight` `[out, in]` and
 * `bias` `[out]`, as `torch.nn.Linear`.
 *
 * Shapes: x `[*, inFeatures]` → `[*, outFeatures]`; a SparseCSR x `[N, inFeatures]` (sparse
 * features) is multiplied as it is, `spmm(x, Wᵀ)`, without densifying it.
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
    if (!(x instanceof SparseCSR)) return linear(x, this.weight, this.bias);
    if (x.shape[1] !== this.inFeatures)
      throw new ShapeError(`Linear: x must be [N, ${this.inFeatures}], got a SparseCSR ${fmtShape(x.shape)}`);
    const out = spmm(x, transpose(this.weight, 0, 1));
    return this.bias === null ? out : add(out, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
