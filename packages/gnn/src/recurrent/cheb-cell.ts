/**
 * What GConvGRU and GConvLSTM (Seo et al. 2018) share: gates made of `ChebConv`s of the input and
 * of the hidden state, and the one evaluation of them that replaces PyG Temporal's gate-by-gate
 * calls. Every gate's pre-activation is `conv_x_g(x) + conv_h_g(h) (+ extras)`, and a ChebConv is
 * linear in its Chebyshev terms, so all the gates of one step are a single matrix product:
 * ```
 * [T_0(x‖h), …, T_{K−1}(x‖h), 1] · W_gatesᵀ     W_gates row block g = [Θ^{xg}_0 Θ^{hg}_0 … Θ^{xg}_{K−1} Θ^{hg}_{K−1} b_g]
 * ```
 * (`T_k(x‖h) = T_k(x)‖T_k(h)`, as L̂ acts on rows). L̂ and the packed weights are built once per
 * sequence in `prepareGraph`; a step does K − 1 sparse products for x and h together, not one
 * set per gate.
 */
import { Tensor, ValueError, add, concat, ones, reshape, zeros, type FloatDType, type Generator } from '@tensorloom/core-tensor';
import {
  ChebConv,
  buildChebLaplacian,
  checkLambdaMax,
  chebTerms,
  formatNormalization,
  type ChebLaplacian,
  type ChebNormalization,
} from '../cheb-conv.js';
import { checkChannels } from '../linear.js';
import { RecurrentGraphCell } from './graph-cell.js';

/** Options of {@link GConvGRU} and {@link GConvLSTM}. */
export interface ChebCellOptions {
  /** The Laplacian's normalisation in every ChebConv: 'sym', 'rw' or null. Default 'sym'. */
  normalization?: ChebNormalization;
  /** λ_max of the scaled Laplacian (PyG Temporal's `lambda_max`). Default 2 ('sym', 'rw'); see `chebLaplacian`. */
  lambdaMax?: number;
  /** Biases in the ChebConvs. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights. Default: the global one. */
  generator?: Generator;
}

/** What a cheb cell builds once per sequence: L̂ (null when K = 1), the ones column of the biases, its packed weights. */
export interface ChebCellGraph<W> {
  readonly laplacian: ChebLaplacian | null;
  /** `[N, 1]` ones: the input column that multiplies the bias column of the packed weights. */
  readonly ones: Tensor;
  readonly weights: W;
}

/**
 * The base of the Chebyshev recurrent cells: their hyper-parameters, convolutions and graph
 * preparation. The prepared graph holds the weights packed from the parameters (on the tape, so
 * gradients reach every `lins.{k}.weight` and bias): prepare per sequence, as `forward` and
 * `unrollGraphCell` do; a `kind()` kept across optimizer steps would keep the old weights.
 */
export abstract class ChebGraphCell<W> extends RecurrentGraphCell<ChebCellGraph<W>> {
  readonly inChannels: number;
  readonly outChannels: number;
  /** The Chebyshev filter size K of every convolution. */
  readonly K: number;
  readonly normalization: ChebNormalization;
  /** λ_max, or undefined for the normalisation's default. */
  readonly lambdaMax: number | undefined;
  readonly generator: Generator | undefined;
  /** The options every convolution is built with. */
  private readonly convOptions: { normalization: ChebNormalization; bias: boolean; dtype: FloatDType; generator: Generator | undefined };

  constructor(inChannels: number, outChannels: number, K: number, options: ChebCellOptions) {
    super();
    const op = new.target.name;
    checkChannels(op, 'inChannels', inChannels);
    checkChannels(op, 'outChannels', outChannels);
    checkChannels(op, 'K', K);
    const { normalization = 'sym', lambdaMax, bias = true, dtype = 'float32', generator } = options;
    if (normalization !== 'sym' && normalization !== 'rw' && normalization !== null)
      throw new ValueError(`${op}: normalization must be 'sym', 'rw' or null, got ${JSON.stringify(normalization)}`);
    if (lambdaMax !== undefined) checkLambdaMax(op, lambdaMax);
    if (typeof bias !== 'boolean') throw new ValueError(`${op}: bias must be a boolean, got ${String(bias)}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.K = K;
    this.normalization = normalization;
    this.lambdaMax = lambdaMax;
    this.generator = generator;
    this.convOptions = { normalization, bias, dtype, generator };
  }

  /** Registers `ChebConv(in, out, K)` under `name`, reading x (`in = inChannels`) or h (`in = outChannels`). */
  protected addConv(name: string, reads: 'x' | 'h'): void {
    this.registerModule(name, new ChebConv(reads === 'x' ? this.inChannels : this.outChannels, this.outChannels, this.K, this.convOptions));
  }

  /** The convolution registered as `name` (PyG Temporal's attribute name, `conv_x_z`, `conv_h_i`, …). */
  conv(name: string): ChebConv {
    return this.getSubmodule(name) as ChebConv;
  }

  /** The weights packed for one sequence (`prepareGraph` calls it; the packing is on the tape). */
  protected abstract packWeights(): W;

  protected prepareGraph(edgeIndex: Tensor, edgeWeight: Tensor | null, numNodes: number): ChebCellGraph<W> {
    const dtype = this.dtype;
    const laplacian =
      this.K === 1
        ? null
        : buildChebLaplacian(this.typeName, edgeIndex, {
            numNodes,
            edgeWeight,
            normalization: this.normalization,
            lambdaMax: this.lambdaMax,
            dtype,
          });
    return { laplacian, ones: ones([numNodes, 1], { dtype }), weights: this.packWeights() };
  }

  /** `[T_0(x‖h), …, T_{K−1}(x‖h), 1]`, `[N, K·(in + out) + 1]`: the input of the gates' one product. */
  protected gateInputs(x: Tensor, h: Tensor, graph: ChebCellGraph<W>): Tensor {
    if (this.K === 1) return concat([x, h, graph.ones], 1);
    return concat([...chebTerms(concat([x, h], 1), graph.laplacian, this.K), graph.ones], 1);
  }

  /** `[T_0(v), …, T_{K−1}(v)]` side by side, `[N, K·F]`. */
  protected terms(v: Tensor, graph: ChebCellGraph<W>): Tensor {
    return this.K === 1 ? v : concat(chebTerms(v, graph.laplacian, this.K), 1);
  }

  /**
   * One gate's row block of the packed weights, `[out, K·(in + out) + 1]`: `Θ^x_k` and `Θ^h_k` of
   * each k side by side (zeros where the gate has no convolution of h), then the column of the
   * gate's summed biases (zeros where it has none).
   */
  protected gateBlock(xConv: ChebConv, hConv: ChebConv | null, biases: ReadonlyArray<Tensor | null>): Tensor {
    const out = this.outChannels;
    const dtype = this.dtype;
    const blocks: Tensor[] = [];
    for (let k = 0; k < this.K; k++) {
      blocks.push(xConv.lins.at(k).weight, hConv === null ? zeros([out, out], { dtype }) : hConv.lins.at(k).weight);
    }
    const present = biases.filter((b): b is Tensor => b !== null).map((b) => reshape(b, [out, 1]));
    blocks.push(present.length === 0 ? zeros([out, 1], { dtype }) : present.reduce((sum, b) => add(sum, b)));
    return concat(blocks, 1);
  }

  override extraRepr(): string {
    const lambdaMax = this.lambdaMax === undefined ? '' : `, lambdaMax=${this.lambdaMax}`;
    return `${this.inChannels}, ${this.outChannels}, K=${this.K}, normalization=${formatNormalization(this.normalization)}${lambdaMax}`;
  }
}
