import { Generator, dropout, mul, nn, randint, randn, sum, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { GRU } from './gru.js';
import type { RecurrentLayer, RecurrentLayerOptions } from './recurrent-layer.js';
import { RNN } from './rnn.js';

// Layer 0 of a recurrent layer reading an embedding's output takes its input projection from the
// table E·W_ihᵀ (embeddingProjection). These tests run each layer on the embedding output itself
// (folded) and on a clone of it (a computed tensor: the plain path) and compare.

type Make = (options: RecurrentLayerOptions) => RecurrentLayer<'h'>;
const layers: [string, Make][] = [
  ['GRU', (o) => new GRU(o)],
  ['RNN', (o) => new RNN(o)],
];

/** The op names of every node the graph of `t` reaches. */
function opsOf(t: Tensor): Set<string> {
  const seen = new Set<Tensor>([t]);
  const names = new Set<string>();
  const todo = [t];
  while (todo.length > 0) {
    const node = todo.pop()!.gradFn;
    if (node === null) continue;
    names.add(node.op);
    for (const input of node.inputs) {
      if (seen.has(input)) continue;
      seen.add(input);
      todo.push(input);
    }
  }
  return names;
}

interface Case {
  dtype: FloatDType;
  batchFirst?: boolean;
  bidirectional?: boolean;
  numLayers?: number;
  /** Token shape; [T, B] (or [B, T] when batchFirst, [T] unbatched). */
  shape: number[];
  lengths?: number[];
}

/** Outputs and gradients of Embedding(5, 3) → layer(hidden 4), folded or through a clone. */
function run(make: Make, c: Case, fold: boolean): { values: Tensor[]; ops: Set<string> } {
  const g = new Generator(11);
  const { dtype } = c;
  const embed = new nn.Embedding({ numEmbeddings: 5, embeddingDim: 3, dtype, generator: g });
  const layer = make({
    inputSize: 3,
    hiddenSize: 4,
    numLayers: c.numLayers ?? 1,
    batchFirst: c.batchFirst ?? false,
    bidirectional: c.bidirectional ?? false,
    dtype,
    generator: g,
  });
  const tokens = randint(0, 5, c.shape, { generator: g });
  const unbatched = c.shape.length === 1;
  const batch = unbatched ? 1 : c.batchFirst ? c.shape[0]! : c.shape[1]!;
  const stateShape = unbatched ? [layer.numLayers * layer.numDirections, 4] : [layer.numLayers * layer.numDirections, batch, 4];
  const h0 = randn(stateShape, { dtype, requiresGrad: true, generator: g });
  const embedded = embed.call(tokens);
  const { output, state } = layer.call(fold ? embedded : embedded.clone(), {
    state: { h: h0 },
    ...(c.lengths ? { lengths: c.lengths } : {}),
  });
  const loss = sum(mul(output, randn(output.shape, { dtype, generator: g }))).add(
    sum(mul(state.h, randn(state.h.shape, { dtype, generator: g }))),
  );
  const ops = opsOf(loss); // before backward frees the graph
  loss.backward();
  const grads = [embed.weight, ...layer.parameters(), h0].map((p) => p.grad!);
  return { values: [output, state.h, ...grads], ops };
}

function expectFoldEqualsPlain(make: Make, c: Case): void {
  const folded = run(make, c, true);
  const plain = run(make, c, false);
  expect(folded.ops.has('embeddingProjection')).toBe(true);
  expect(plain.ops.has('embeddingProjection')).toBe(false);
  const tolerance = c.dtype === 'float64' ? { rtol: 1e-10, atol: 1e-10 } : { rtol: 1e-5, atol: 1e-5 };
  folded.values.forEach((v, k) => expectClose(v, plain.values[k]!, tolerance));
}

describe.each(layers)('%s reading an embedding', (_name, make) => {
  test('folds the input projection and equals the plain path (float32 and float64: outputs, all gradients)', () => {
    expectFoldEqualsPlain(make, { dtype: 'float32', shape: [6, 3] });
    expectFoldEqualsPlain(make, { dtype: 'float64', shape: [6, 3] });
  });

  test('folds for batch-first, unbatched, bidirectional, stacked and variable-length input', () => {
    expectFoldEqualsPlain(make, { dtype: 'float64', shape: [3, 6], batchFirst: true });
    expectFoldEqualsPlain(make, { dtype: 'float64', shape: [7] });
    expectFoldEqualsPlain(make, { dtype: 'float64', shape: [4, 2], bidirectional: true, numLayers: 2 });
    expectFoldEqualsPlain(make, { dtype: 'float64', shape: [2, 4], batchFirst: true, lengths: [4, 2] });
  });

  test('passes a float64 gradient check through Embedding → layer with the fold', () => {
    const g = new Generator(4);
    const embed = new nn.Embedding({ numEmbeddings: 3, embeddingDim: 2, dtype: 'float64', generator: g });
    const layer = make({ inputSize: 2, hiddenSize: 2, dtype: 'float64', generator: g });
    const tokens = randint(0, 3, [3, 2], { generator: g });
    const weightIh = layer.getParameter('weight_ih_l0')!;
    const weightHh = layer.getParameter('weight_hh_l0')!;
    const biasIh = layer.getParameter('bias_ih_l0')!;
    const forward = (): Tensor => layer.call(embed.call(tokens)).output;
    expect(opsOf(forward()).has('embeddingProjection')).toBe(true);
    expect(gradcheck(forward, [embed.weight, weightIh, weightHh, biasIh])).toBe(true);
  });

  test('takes the plain path behind dropout, an op, with no more tokens than table rows, or when the input keeps its gradient', () => {
    const g = new Generator(8);
    const embed = new nn.Embedding({ numEmbeddings: 5, embeddingDim: 3, generator: g });
    const layer = make({ inputSize: 3, hiddenSize: 4, generator: g });
    const tokens = randint(0, 5, [4, 2], { generator: g });
    const e = embed.call(tokens);
    const few = embed.call(randint(0, 5, [2, 2], { generator: g }));
    const kept = embed.call(tokens).retainGrad();
    for (const input of [dropout(e, 0.5, { training: true, generator: g }), mul(e, 2), few, kept]) {
      const ops = opsOf(layer.call(input).output);
      expect(ops.has('embeddingProjection')).toBe(false);
      expect(ops.has('linear')).toBe(true);
    }
  });
});
