/**
 * `Bidirectional`: any recurrent layer run both ways over a sequence, as Keras's `Bidirectional`
 * wrapper, with PyTorch's reversal rule for variable-length batches (each sequence is reversed
 * within its own length, so padding stays at the end).
 */
import {
  ShapeError,
  Tensor,
  ValueError,
  add,
  concat,
  fmtShape,
  indexSelect,
  nn,
  reshape,
  select,
  stack,
  tensor,
} from '@tensorloom/core-tensor';
import { RecurrentLayer, type LayerState, type RecurrentForwardOptions, type RecurrentOutput } from './recurrent-layer.js';

/** How the two directions' outputs are combined: concatenated (forward first), summed or averaged. */
export type MergeMode = 'concat' | 'sum' | 'mean';

/** Which direction a layer built by the factory will run. */
export interface DirectionContext {
  direction: 'forward' | 'backward';
}

interface MergeOptions {
  /** 'concat' (`[…, 2·O]`, forward first), 'sum' or 'mean' (`[…, O]`). Default 'concat'. */
  mergeMode?: MergeMode;
}

/** Build both directions with one factory, called once per direction (so the weights are independent). */
export interface BidirectionalFactoryOptions<Names extends string> extends MergeOptions {
  layer: (context: DirectionContext) => RecurrentLayer<Names>;
}

/** Wrap two layers you built, one per direction. */
export interface BidirectionalLayersOptions<Names extends string> extends MergeOptions {
  forwardLayer: RecurrentLayer<Names>;
  backwardLayer: RecurrentLayer<Names>;
}

export type BidirectionalOptions<Names extends string> = BidirectionalFactoryOptions<Names> | BidirectionalLayersOptions<Names>;

/**
 * Runs `forwardLayer` over the sequence and `backwardLayer` over the sequence reversed, then
 * reverses the backward outputs back into time order and merges the two:
 * ```
 * output_t = merge(forward_t, backward_t)      state = [fwd_l0, bwd_l0, fwd_l1, bwd_l1, …]
 * ```
 * With `lengths` or a `mask`, the backward layer sees each sequence's *real* steps reversed (the
 * padding stays where it is and stays masked), as PyTorch's packed sequences do. With one layer per
 * direction and `mergeMode: 'concat'`, this computes exactly what the layer's own
 * `bidirectional: true` computes; with several layers per direction it differs (there, layer k+1
 * reads both directions of layer k).
 *
 * - Options: either `layer: ({ direction }) => RecurrentLayer` (called for 'forward', then
 *   'backward') or `forwardLayer` and `backwardLayer`; `mergeMode` ('concat'). Both layers must be
 *   unidirectional, with the same `inputSize`, `hiddenSize`, output size, `numLayers` and
 *   `batchFirst` (they may differ in kind, bias, dropout or init). They are registered as `forward_layer` and `backward_layer`,
 * so state-dict keys
 *   read `forward_layer.weight_ih_l0`, `backward_layer.weight_ih_l0`, ….
 * - Input and forward options as the wrapped layers' (`[T, B, I]`, `[B, T, I]` with batchFirst,
 *   `[T, I]` unbatched; `lengths` or `mask`). An initial `state` and the returned one hold both
 *   directions as PyTorch's `h_n` does: `[2·L, B, H]`, layer-major, forward before backward.
 * - Returns `{ output: [T, B, 2·O] (concat) or [T, B, O], state }`.
 *
 * @example
 * const bi = new Bidirectional({ layer: () => new GRU({ inputSize: 8, hiddenSize: 16 }) });
 * const { output, state } = bi.call(randn([5, 3, 8]), { lengths: [5, 3, 4] });  // [5, 3, 32], state.h [2, 3, 16]
 */
export class Bidirectional<Names extends string> extends nn.Module<[Tensor, RecurrentForwardOptions<Names>?], RecurrentOutput<Names>> {
  readonly mergeMode: MergeMode;

  constructor(options: BidirectionalOptions<Names>) {
    super();
    const { mergeMode = 'concat' } = options;
    if (!['concat', 'sum', 'mean'].includes(mergeMode))
      throw new ValueError(`Bidirectional: mergeMode must be 'concat', 'sum' or 'mean', got '${String(mergeMode)}'`);
    const [forwardLayer, backwardLayer] =
      'layer' in options
        ? [options.layer({ direction: 'forward' }), options.layer({ direction: 'backward' })]
        : [options.forwardLayer, options.backwardLayer];
    for (const [role, l] of [
      ['forward', forwardLayer],
      ['backward', backwardLayer],
    ] as const) {
      if (!(l instanceof RecurrentLayer)) throw new ValueError(`Bidirectional: the ${role} layer must be a RecurrentLayer`);
      if (l.bidirectional) throw new ValueError(`Bidirectional: the ${role} layer must be unidirectional (bidirectional: false)`);
    }
    if (forwardLayer === backwardLayer)
      throw new ValueError('Bidirectional: the two directions need two layer instances (the factory must build a new one per call)');
    // Equal sizes also let the two directions' states stack into one [2·L, B, H] tensor per name.
    for (const key of ['inputSize', 'hiddenSize', 'outputSize', 'numLayers', 'batchFirst'] as const) {
      if (forwardLayer[key] !== backwardLayer[key]) {
        throw new ValueError(
          `Bidirectional: the two layers differ in ${key}: ${String(forwardLayer[key])} and ${String(backwardLayer[key])}`,
        );
      }
    }
    this.mergeMode = mergeMode;
    this.registerModule('forward_layer', forwardLayer);
    this.registerModule('backward_layer', backwardLayer);
  }

  /** The layer run in time order. */
  get forwardLayer(): RecurrentLayer<Names> {
    return this.getSubmodule('forward_layer') as RecurrentLayer<Names>;
  }

  /** The layer run over the reversed sequences. */
  get backwardLayer(): RecurrentLayer<Names> {
    return this.getSubmodule('backward_layer') as RecurrentLayer<Names>;
  }

  forward(input: Tensor, options: RecurrentForwardOptions<Names> = {}): RecurrentOutput<Names> {
    const fl = this.forwardLayer;
    const bl = this.backwardLayer;
    const { state: initial, ...sequenceOptions } = options;
    const [forwardInitial, backwardInitial] = splitDirections(initial, fl.numLayers);
    // The forward layer runs first, so its checks (input, lengths, mask, state) raise their typed errors.
    const fwd = fl.call(input, { ...sequenceOptions, ...(forwardInitial ? { state: forwardInitial } : {}) });
    const rows = reversalRows(input, fl.batchFirst, options);
    const bwd = bl.call(permuteSteps(input, rows), { ...sequenceOptions, ...(backwardInitial ? { state: backwardInitial } : {}) });
    const backwardOutput = permuteSteps(bwd.output, rows);
    let output: Tensor;
    if (this.mergeMode === 'concat') output = concat([fwd.output, backwardOutput], -1);
    else if (this.mergeMode === 'sum') output = add(fwd.output, backwardOutput);
    else output = add(fwd.output, backwardOutput).mul(0.5);
    const names = Object.keys(fwd.state) as Names[];
    if (names.length !== Object.keys(bwd.state).length || names.some((n) => !(n in bwd.state))) {
      throw new ValueError(
        `Bidirectional: the two layers have different states: ${names.join(', ')} and ${Object.keys(bwd.state).join(', ')}`,
      );
    }
    const state = {} as LayerState<Names>;
    for (const name of names) {
      const f = fwd.state[name];
      const b = bwd.state[name];
      state[name] = reshape(stack([f, b], 1), [2 * f.shape[0]!, ...f.shape.slice(1)]);
    }
    return { output, state };
  }

  override extraRepr(): string {
    return `mergeMode=${this.mergeMode}`;
  }
}

/** Splits `[2·L, …]` states (layer-major, forward first) into the two directions' `[L, …]`. */
function splitDirections<Names extends string>(
  state: Partial<LayerState<Names>> | undefined,
  numLayers: number,
): [Partial<LayerState<Names>> | undefined, Partial<LayerState<Names>> | undefined] {
  if (state === undefined) return [undefined, undefined];
  const forward: Partial<LayerState<Names>> = {};
  const backward: Partial<LayerState<Names>> = {};
  for (const [name, s] of Object.entries(state) as Array<[Names, Tensor | undefined]>) {
    if (s === undefined) continue;
    if (s.ndim < 2 || s.shape[0] !== 2 * numLayers) {
      throw new ShapeError(
        `Bidirectional: expected initial state '${name}' of shape [${2 * numLayers}, ` +
          `…] (2 directions × ${numLayers} layers), got ${fmtShape(s.shape)}`,
      );
    }
    const split = reshape(s, [numLayers, 2, ...s.shape.slice(1)]);
    forward[name] = select(split, 1, 0);
    backward[name] = select(split, 1, 1);
  }
  return [forward, backward];
}

/**
 * The row permutation (over the input's rows, all axes but the last flattened) that reverses
 * each sequence's valid steps among themselves and leaves masked steps in place. It is its own
 * inverse, so it also puts the backward outputs back into time order.
 */
function reversalRows<Names extends string>(input: Tensor, batchFirst: boolean, options: RecurrentForwardOptions<Names>): Tensor {
  const unbatched = input.ndim === 2;
  const steps = unbatched || !batchFirst ? input.shape[0]! : input.shape[1]!;
  const batch = unbatched ? 1 : batchFirst ? input.shape[0]! : input.shape[1]!;
  const row = (t: number, b: number): number => (batchFirst && !unbatched ? b * steps + t : t * batch + b);
  const valid = validity(options, steps, batch, unbatched, batchFirst);
  const rows = new Int32Array(steps * batch);
  for (let b = 0; b < batch; b++) {
    const real: number[] = [];
    for (let t = 0; t < steps; t++) {
      rows[row(t, b)] = row(t, b);
      if (valid(t, b)) real.push(t);
    }
    real.forEach((t, i) => {
      rows[row(t, b)] = row(real[real.length - 1 - i]!, b);
    });
  }
  return tensor(rows, { shape: [steps * batch], dtype: 'int32' });
}

/** Whether step t of sequence b is real, from `lengths` or `mask` (both already checked by the forward layer). */
function validity<Names extends string>(
  options: RecurrentForwardOptions<Names>,
  steps: number,
  batch: number,
  unbatched: boolean,
  batchFirst: boolean,
): (t: number, b: number) => boolean {
  if (options.lengths !== undefined) {
    const lengths = options.lengths instanceof Tensor ? Array.from(options.lengths.data) : [...options.lengths];
    return (t, b) => t < lengths[b]!;
  }
  if (options.mask !== undefined) {
    const m = options.mask.data;
    if (unbatched) return (t) => m[t] !== 0;
    return batchFirst ? (t, b) => m[b * steps + t] !== 0 : (t, b) => m[t * batch + b] !== 0;
  }
  return () => true;
}

/** Reorders the steps of `x` (`[T, B, F]`, `[B, T, F]` or `[T, F]`) by a row permutation. */
function permuteSteps(x: Tensor, rows: Tensor): Tensor {
  const features = x.shape[x.ndim - 1]!;
  return reshape(indexSelect(reshape(x, [rows.size, features]), 0, rows), x.shape);
}
