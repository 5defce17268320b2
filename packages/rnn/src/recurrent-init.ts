/**
 * The initialisation schemes of the recurrent modules, in one place, so a layer (`RecurrentLayer`)
 * and a single-step cell (`RecurrentCell`) built with the same `init` draw from the same
 * distributions, in the same generator order.
 */
import { Tensor, ValueError, nn, type Generator } from '@tensorloom/core-tensor';

/** How `resetParameters()` draws the weights. */
export type RecurrentInit =
  /** PyTorch's default: every parameter from U(−1/√H, 1/√H). */
  | 'uniform'
  /** Weights from Kaiming-normal (fan-in, gain √2), biases zero: the course's choice. */
  | 'kaimingNormal'
  /** Weights from Xavier-uniform, biases zero. */
  | 'xavierUniform'
  /** `weight_hh` orthogonal per gate block, the other weights (`weight_ih`, …) Xavier-uniform, biases zero. */
  | 'orthogonal';

const RECURRENT_INITS: readonly string[] = ['uniform', 'kaimingNormal', 'xavierUniform', 'orthogonal'] satisfies RecurrentInit[];

/** Throws a ValueError naming `owner` when `init` is not a `RecurrentInit`. */
export function assertRecurrentInit(owner: string, init: unknown): asserts init is RecurrentInit {
  if (typeof init !== 'string' || !RECURRENT_INITS.includes(init)) throw new ValueError(`${owner}: unknown init '${String(init)}'`);
}

/**
 * Initialises one recurrent parameter in place, outside the tape. `name` is its PyTorch name,
 * with or without the layer suffix (`weight_hh`, `bias_ih_l1_reverse`, `weight_ch_l0`, …): names
 * starting with `bias` are biases, names starting with `weight_hh` are the packed recurrent
 * weights `[c·H, ·]`, every other name is a weight.
 *
 * - `'uniform'` (PyTorch's): U(−1/√H, 1/√H) for every parameter, biases included;
 * - `'kaimingNormal'`: weights N(0, 2/fanIn), biases 0;
 * - `'xavierUniform'`: weights U(±√(6/(fanIn + fanOut))), biases 0;
 * - `'orthogonal'`: each `[H, ·]` gate block of `weight_hh` orthogonal on its own, every other
 *   weight (`weight_ih`, `weight_hr`, peephole `weight_ch`) Xavier-uniform, biases 0.
 *
 * H is `hiddenSize`; draws come from `generator` (default: the global one). An unknown `init`
 * throws a ValueError.
 *
 * @example
 * const w = Tensor.empty([3 * 16, 16], 'float32');
 * initRecurrentParameter('weight_hh', w, 'orthogonal', 16, new Generator(0));  // three orthogonal 16×16 blocks
 */
export function initRecurrentParameter(name: string, p: Tensor, init: RecurrentInit, hiddenSize: number, generator?: Generator): void {
  assertRecurrentInit('initRecurrentParameter', init);
  if (init === 'uniform') {
    const stdv = 1 / Math.sqrt(hiddenSize);
    nn.init.uniform_(p, { a: -stdv, b: stdv, generator });
  } else if (name.startsWith('bias')) {
    nn.init.zeros_(p);
  } else if (init === 'kaimingNormal') {
    nn.init.kaimingNormal_(p, { nonlinearity: 'relu', generator });
  } else if (init === 'orthogonal' && name.startsWith('weight_hh')) {
    orthogonalBlocks(p, hiddenSize, generator);
  } else {
    nn.init.xavierUniform_(p, { generator });
  }
}

/** Orthogonal init of each `[H, ·]` gate block of a packed `weight_hh` separately. */
function orthogonalBlocks(weight: Tensor, hiddenSize: number, generator: Generator | undefined): void {
  const cols = weight.shape[1]!;
  for (let row = 0; row < weight.shape[0]!; row += hiddenSize) {
    const block = Tensor.empty([hiddenSize, cols], weight.dtype);
    nn.init.orthogonal_(block, { generator });
    weight.data.set(block.data, row * cols);
  }
}

/**
 * Validates a `forgetBias` option for a module of `kind` (ValueError when the kind has no forget
 * gate, the module has no bias, or the value is not finite).
 */
export function assertForgetBias(owner: string, forgetBias: number | undefined, forgetGateBlock: number | undefined, bias: boolean): void {
  if (forgetBias === undefined) return;
  if (typeof forgetBias !== 'number' || !Number.isFinite(forgetBias))
    throw new ValueError(`${owner}: forgetBias must be a finite number, got ${String(forgetBias)}`);
  if (forgetGateBlock === undefined) throw new ValueError(`${owner}: forgetBias needs a cell with a forget gate`);
  if (!bias) throw new ValueError(`${owner}: forgetBias needs bias: true`);
}

/**
 * Sets the forget-gate block (`block`, rows block·H..(block+1)·H) of a packed bias: to `value` in
 * the `bias_ih*` parameters and to 0 in `bias_hh*`, so the effective forget bias `b_ih + b_hh` is
 * `value` (Jozefowicz et al., 2015: 1 keeps the cell state flowing early in training). In place,
 * outside the tape.
 */
export function applyForgetBias(name: string, p: Tensor, block: number, hiddenSize: number, value: number): void {
  if (name.startsWith('bias_ih')) p.data.fill(value, block * hiddenSize, (block + 1) * hiddenSize);
  else if (name.startsWith('bias_hh')) p.data.fill(0, block * hiddenSize, (block + 1) * hiddenSize);
}
