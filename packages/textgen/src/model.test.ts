import { DTypeError, Generator, ShapeError, ValueError, concat, crossEntropy, randint, select, tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { lstmParameterCount } from '@tensorloom/lstm';
import { describe, expect, it } from 'vitest';
import { TextGenerationModel } from './model.js';

const tokens = (b: number, t: number, v: number, seed: number) => randint(0, v, [b, t], { generator: new Generator(seed), dtype: 'int32' });

describe('TextGenerationModel', () => {
  it('defaults to the course model: embedding 64, two LSTM layers of 128, a linear head, PyTorch names', () => {
    const model = new TextGenerationModel({ vocabSize: 80, generator: new Generator(0) });
    expect(model.config).toMatchObject({ vocabSize: 80, embeddingDim: 64, hiddenSize: 128, numLayers: 2, dropout: 0 });
    expect(Object.entries(model.stateDict()).map(([k, v]) => [k, v.shape])).toEqual([
      ['embedding.weight', [80, 64]],
      ['lstm.weight_ih_l0', [512, 64]],
      ['lstm.weight_hh_l0', [512, 128]],
      ['lstm.bias_ih_l0', [512]],
      ['lstm.bias_hh_l0', [512]],
      ['lstm.weight_ih_l1', [512, 128]],
      ['lstm.weight_hh_l1', [512, 128]],
      ['lstm.bias_ih_l1', [512]],
      ['lstm.bias_hh_l1', [512]],
      ['linear.weight', [80, 128]],
      ['linear.bias', [80]],
    ]);
    expect(model.numParameters()).toBe(80 * 64 + lstmParameterCount({ inputSize: 64, hiddenSize: 128, layers: 2, outputSize: 80 }));
  });

  it('forward maps int32 [B, T] tokens to logits [B, T, V] and a state h, c of [L, B, H]', () => {
    const model = new TextGenerationModel({ vocabSize: 11, embeddingDim: 4, hiddenSize: 6, numLayers: 3, generator: new Generator(1) });
    const { logits, state } = model.call(tokens(2, 5, 11, 2));
    expect(logits.shape).toEqual([2, 5, 11]);
    expect(state.h.shape).toEqual([3, 2, 6]);
    expect(state.c.shape).toEqual([3, 2, 6]);
  });

  it('step by step with the state carried gives the same logits as one forward over the sequence', () => {
    const model = new TextGenerationModel({ vocabSize: 9, embeddingDim: 5, hiddenSize: 7, dtype: 'float64', generator: new Generator(3) });
    const x = tokens(3, 6, 9, 4);
    const whole = model.call(x);
    let state = model.initialState(3);
    for (let t = 0; t < 6; t++) {
      const out = model.step(select(x, 1, t), state);
      expectClose(out.logits.data, select(whole.logits, 1, t).data, { rtol: 1e-12, atol: 1e-12 });
      state = out.state;
    }
    expectClose(state.h.data, whole.state.h.data, { rtol: 1e-12, atol: 1e-12 });
    // Two halves with the state passed on equal the whole too.
    const first = model.call(x.slice(1, 0, 3));
    const second = model.call(x.slice(1, 3, 6), first.state);
    expectClose(concat([first.logits, second.logits], 1).data, whole.logits.data, { rtol: 1e-12, atol: 1e-12 });
  });

  it('passes a float64 gradient check of the mean cross-entropy with respect to every parameter', () => {
    const model = new TextGenerationModel({
      vocabSize: 4,
      embeddingDim: 2,
      hiddenSize: 3,
      numLayers: 2,
      dtype: 'float64',
      generator: new Generator(5),
    });
    const x = tokens(2, 3, 4, 6);
    const y = tokens(2, 3, 4, 7).reshape([-1]);
    expect(gradcheck(() => crossEntropy(model.call(x).logits.reshape([-1, 4]), y), model.parameters())).toBe(true);
  });

  it('applies dropout only in training mode, drawing from its generator', () => {
    const make = () => new TextGenerationModel({ vocabSize: 6, embeddingDim: 8, hiddenSize: 8, dropout: 0.5, generator: new Generator(8) });
    const x = tokens(2, 4, 6, 9);
    const model = make();
    const a = model.call(x).logits;
    const b = model.call(x).logits;
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
    expect(Array.from(make().call(x).logits.data)).toEqual(Array.from(a.data)); // same generator seed, same masks
    model.eval();
    expect(Array.from(model.call(x).logits.data)).toEqual(Array.from(model.call(x).logits.data));
  });

  it('throws typed errors for float tokens, wrong ranks and bad sizes', () => {
    const model = new TextGenerationModel({ vocabSize: 5, embeddingDim: 2, hiddenSize: 3 });
    expect(() => model.call(tensor([[0, 1]]))).toThrow(DTypeError);
    expect(() => model.call(tensor([0, 1], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => model.step(tensor([[0, 1]], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => model.call(tensor([[0, 1]], { dtype: 'int32' }), model.initialState(2))).toThrow(ShapeError);
    expect(() => new TextGenerationModel({ vocabSize: 0 })).toThrow(ValueError);
    expect(() => new TextGenerationModel({ vocabSize: 5, hiddenSize: 2.5 })).toThrow(ValueError);
    expect(() => new TextGenerationModel({ vocabSize: 5, dropout: 1 })).toThrow(ValueError);
  });

  it('rebuilds from its config (as a checkpoint stores it)', () => {
    const model = new TextGenerationModel({ vocabSize: 7, hiddenSize: 16, numLayers: 1, forgetBias: 1, init: 'orthogonal' });
    const copy = TextGenerationModel.fromConfig(JSON.parse(JSON.stringify(model.config)));
    expect(copy.config).toEqual(model.config);
    expect(copy.lstm.forgetBias).toBe(1);
    expect(model.toString()).toContain('hiddenSize=16');
  });
});
