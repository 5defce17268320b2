import { Generator, mul, nn, randint, randn, sum, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { LSTM, type LSTMOptions } from './lstm.js';
import { PeepholeLSTM } from './peephole-lstm.js';

// An LSTM reading an embedding's output takes layer 0's input projection from the table E·W_ihᵀ
// (core-tensor's embeddingProjection). Each case runs the embedding output itself (folded) and a
// clone of it (a computed tensor, so the plain x·W_ihᵀ path) and compares outputs and gradients.

/** Whether the graph of `t` holds a node of op `op`. */
function hasOp(t: Tensor, op: string): boolean {
  const seen = new Set<Tensor>([t]);
  const todo = [t];
  while (todo.length > 0) {
    const node = todo.pop()!.gradFn;
    if (node === null) continue;
    if (node.op === op) return true;
    for (const input of node.inputs) {
      if (seen.has(input)) continue;
      seen.add(input);
      todo.push(input);
    }
  }
  return false;
}

type Make = (options: LSTMOptions) => LSTM | PeepholeLSTM;

/** Output, h_n, c_n and the gradients of E, every LSTM parameter, h0 and c0. */
function run(make: Make, dtype: FloatDType, fold: boolean, extra: Partial<LSTMOptions> = {}): { values: Tensor[]; folded: boolean } {
  const g = new Generator(17);
  const embed = new nn.Embedding({ numEmbeddings: 6, embeddingDim: 4, dtype, generator: g });
  const lstm = make({ inputSize: 4, hiddenSize: 5, dtype, generator: g, ...extra });
  const tokens = randint(0, 6, extra.batchFirst ? [3, 5] : [5, 3], { generator: g });
  const layers = lstm.numLayers * lstm.numDirections;
  const h0 = randn([layers, 3, lstm.outputSize], { dtype, requiresGrad: true, generator: g });
  const c0 = randn([layers, 3, 5], { dtype, requiresGrad: true, generator: g });
  const embedded = embed.call(tokens);
  const { output, state } = lstm.call(fold ? embedded : embedded.clone(), { state: { h: h0, c: c0 } });
  const loss = [output, state.h, state.c].map((t) => sum(mul(t, randn(t.shape, { dtype, generator: g })))).reduce((a, b) => a.add(b));
  const folded = hasOp(loss, 'embeddingProjection');
  loss.backward();
  const grads = [embed.weight, ...lstm.parameters(), h0, c0].map((p) => p.grad!);
  return { values: [output, state.h, state.c, ...grads], folded };
}

function expectFoldEqualsPlain(make: Make, dtype: FloatDType, extra: Partial<LSTMOptions> = {}): void {
  const folded = run(make, dtype, true, extra);
  const plain = run(make, dtype, false, extra);
  expect([folded.folded, plain.folded]).toEqual([true, false]);
  const tolerance = dtype === 'float64' ? { rtol: 1e-10, atol: 1e-10 } : { rtol: 1e-5, atol: 1e-5 };
  folded.values.forEach((v, k) => expectClose(v, plain.values[k]!, tolerance));
}

describe('LSTM reading an embedding', () => {
  const lstm: Make = (o) => new LSTM(o);

  test('folds the input projection and equals the plain path in float32 and float64 (outputs, states, all gradients)', () => {
    expectFoldEqualsPlain(lstm, 'float32');
    expectFoldEqualsPlain(lstm, 'float64');
  });

  test('folds batch-first, stacked bidirectional and projected LSTMs, and the peephole LSTM', () => {
    expectFoldEqualsPlain(lstm, 'float64', { batchFirst: true });
    expectFoldEqualsPlain(lstm, 'float64', { numLayers: 2, bidirectional: true });
    expectFoldEqualsPlain(lstm, 'float64', { projSize: 3 });
    expectFoldEqualsPlain((o) => new PeepholeLSTM(o), 'float64');
  });

  test('passes a float64 gradient check through Embedding → LSTM with the fold', () => {
    const g = new Generator(2);
    const embed = new nn.Embedding({ numEmbeddings: 3, embeddingDim: 2, dtype: 'float64', generator: g });
    const layer = new LSTM({ inputSize: 2, hiddenSize: 2, dtype: 'float64', generator: g });
    const tokens = randint(0, 3, [2, 2], { generator: g });
    const forward = (): Tensor[] => {
      const { output, state } = layer.call(embed.call(tokens));
      return [output, state.c];
    };
    expect(hasOp(forward()[0]!, 'embeddingProjection')).toBe(true);
    const parameters = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((name) => layer.getParameter(name)!);
    expect(gradcheck(forward, [embed.weight, ...parameters])).toBe(true);
  });
});
