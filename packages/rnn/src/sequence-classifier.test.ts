import { DTypeError, Generator, ShapeError, ValueError, crossEntropy, select, slice, tensor, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { GRU } from './gru.js';
import { RNN } from './rnn.js';
import { SequenceClassifier } from './sequence-classifier.js';

const symbols = (rows: number[][]): Tensor => tensor(rows, { dtype: 'int32' });

describe('SequenceClassifier', () => {
  it('maps [B, T] symbols to [B, numClasses] logits through embedding, layer and head', () => {
    const model = new SequenceClassifier({
      numInputSymbols: 3,
      numClasses: 5,
      embeddingDim: 4,
      recurrent: ({ inputSize }) => new GRU({ inputSize, hiddenSize: 6, batchFirst: true, generator: new Generator(0) }),
      generator: new Generator(1),
    });
    const logits = model.call(
      symbols([
        [0, 1, 2],
        [2, 2, 1],
      ]),
    );
    expect(logits.shape).toEqual([2, 5]);
    expect(model.namedParameters().map(([name]) => name)).toEqual([
      'embedding.weight',
      'rnn.weight_ih_l0',
      'rnn.weight_hh_l0',
      'rnn.bias_ih_l0',
      'rnn.bias_hh_l0',
      'head.weight',
      'head.bias',
    ]);
  });

  it('reads the last layer final state: the head sees h_n of the top layer', () => {
    const rnn = new GRU({ inputSize: 4, hiddenSize: 5, numLayers: 2, batchFirst: true, generator: new Generator(2) });
    const model = new SequenceClassifier({ numInputSymbols: 3, numClasses: 2, recurrent: rnn, generator: new Generator(3) });
    const x = symbols([
      [1, 2, 0, 1],
      [2, 1, 1, 1],
    ]);
    const { output } = rnn.call(model.embedding.call(x));
    expectClose(model.features(x), select(output, 1, 3), { atol: 1e-6 });
  });

  it('reads [forward state after the last step, backward state after the first step] when bidirectional', () => {
    const rnn = new RNN({ inputSize: 4, hiddenSize: 3, bidirectional: true, batchFirst: true, generator: new Generator(4) });
    const model = new SequenceClassifier({ numInputSymbols: 3, numClasses: 2, recurrent: rnn, generator: new Generator(5) });
    const x = symbols([
      [1, 2, 0, 1, 2],
      [0, 0, 1, 2, 2],
    ]);
    const features = model.features(x);
    expect(features.shape).toEqual([2, 6]);
    const { output } = rnn.call(model.embedding.call(x)); // [B, T, 2H]
    expectClose(slice(features, 1, 0, 3), slice(select(output, 1, 4), 1, 0, 3), { atol: 1e-6 });
    expectClose(slice(features, 1, 3, 6), slice(select(output, 1, 0), 1, 3, 6), { atol: 1e-6 });
    expect(model.head.weight.shape).toEqual([2, 6]);
  });

  it('gives the same logits whether the layer is batch-first or time-first', () => {
    const build = (batchFirst: boolean) =>
      new SequenceClassifier({
        numInputSymbols: 4,
        numClasses: 3,
        embeddingDim: 5,
        recurrent: ({ inputSize }) => new GRU({ inputSize, hiddenSize: 4, batchFirst, generator: new Generator(6) }),
        generator: new Generator(7),
      });
    const x = symbols([
      [3, 1, 0],
      [2, 2, 1],
    ]);
    expectClose(build(false).call(x), build(true).call(x), { atol: 1e-6 });
  });

  it('initialises embedding and head Kaiming-normal with a zero head bias by default', () => {
    const model = new SequenceClassifier({
      numInputSymbols: 200,
      numClasses: 100,
      embeddingDim: 50,
      recurrent: ({ inputSize }) => new RNN({ inputSize, hiddenSize: 200, batchFirst: true, init: 'kaimingNormal' }),
      generator: new Generator(8),
    });
    const std = (t: Tensor) => Math.sqrt(t.square().mean().item());
    expect(std(model.embedding.weight)).toBeCloseTo(Math.sqrt(2 / 50), 2);
    expect(std(model.head.weight)).toBeCloseTo(Math.sqrt(2 / 200), 2);
    expect(model.head.bias!.abs().sum().item()).toBe(0);
    expect(model.toString()).toContain('Embedding');
    // resetParameters keeps the scheme.
    model.resetParameters({ generator: new Generator(9) });
    expect(std(model.head.weight)).toBeCloseTo(Math.sqrt(2 / 200), 2);
    expect(model.head.bias!.abs().sum().item()).toBe(0);
  });

  it("keeps PyTorch's default init with init: 'default'", () => {
    const model = new SequenceClassifier({
      numInputSymbols: 100,
      numClasses: 4,
      embeddingDim: 100,
      init: 'default',
      recurrent: ({ inputSize }) => new RNN({ inputSize, hiddenSize: 8, batchFirst: true }),
      generator: new Generator(10),
    });
    expect(Math.sqrt(model.embedding.weight.square().mean().item())).toBeCloseTo(1, 1);
    expect(model.head.bias!.abs().sum().item()).toBeGreaterThan(0);
  });

  it('passes a float64 gradient check through embedding, GRU and head', () => {
    const model = new SequenceClassifier({
      numInputSymbols: 3,
      numClasses: 2,
      embeddingDim: 2,
      dtype: 'float64',
      recurrent: ({ inputSize }) =>
        new GRU({ inputSize, hiddenSize: 2, bidirectional: true, batchFirst: true, dtype: 'float64', generator: new Generator(11) }),
      generator: new Generator(12),
    });
    const x = symbols([
      [0, 1, 2],
      [2, 1, 1],
    ]);
    const y = tensor([1, 0], { dtype: 'int32' });
    // gradcheck perturbs its inputs in place, so the parameters themselves can be the inputs.
    expect(gradcheck(() => crossEntropy(model.call(x), y), model.parameters())).toBe(true);
  });

  it('rejects float or rank-1 inputs and a layer whose input size is not the embedding size', () => {
    const model = new SequenceClassifier({
      numInputSymbols: 3,
      numClasses: 2,
      recurrent: ({ inputSize }) => new RNN({ inputSize, hiddenSize: 2, batchFirst: true }),
    });
    expect(model.embeddingDim).toBe(16);
    expect(() => model.call(tensor([[0, 1]]))).toThrow(DTypeError);
    expect(() => model.call(tensor([0, 1], { dtype: 'int32' }))).toThrow(ShapeError);
    const layer = new RNN({ inputSize: 4, hiddenSize: 2 });
    expect(() => new SequenceClassifier({ numInputSymbols: 3, numClasses: 2, embeddingDim: 5, recurrent: layer })).toThrow(ValueError);
    expect(() => new SequenceClassifier({ numInputSymbols: 3, numClasses: 2, embeddingDim: 5, recurrent: () => layer })).toThrow(
      ValueError,
    );
    expect(() => new SequenceClassifier({ numInputSymbols: 0, numClasses: 2, recurrent: layer })).toThrow(ValueError);
  });
});
