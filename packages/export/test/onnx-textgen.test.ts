import { Generator, Tensor, randint, randn, type FloatDType } from '@tensorloom/core-tensor';
import { LSTM } from '@tensorloom/lstm';
import { TextGenerationModel, type TextGenerationState } from '@tensorloom/textgen';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ExportError, onnxModelBytes } from '../src/index.js';

/** The largest |a − b| (lengths must agree). */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const int64 = (t: Tensor): ort.Tensor =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(t.data, (v) => BigInt(v)),
    [...t.shape],
  );
const float = (t: Tensor): ort.Tensor =>
  t.dtype === 'float64'
    ? new ort.Tensor('float64', Float64Array.from(t.data), [...t.shape])
    : new ort.Tensor('float32', Float32Array.from(t.data), [...t.shape]);
const values = (t: ort.Tensor): Float32Array | Float64Array => t.data as Float32Array | Float64Array;

function smallModel(seed: number, dtype: FloatDType = 'float32'): TextGenerationModel {
  return new TextGenerationModel({ vocabSize: 20, embeddingDim: 8, hiddenSize: 16, numLayers: 2, dtype, generator: new Generator(seed) });
}

describe('exportOnnx: the text model in ONNX Runtime', () => {
  it.each([
    ['float32', 1e-5],
    ['float64', 1e-10],
  ] as const)('%s: forward on a 3 × 7 batch from a random state matches tensorloom: logits, hn and cn to %s', async (dtype, tolerance) => {
    const model = smallModel(11, dtype);
    const session = await ort.InferenceSession.create(onnxModelBytes(model));
    const generator = new Generator(12);
    const tokens = randint(0, 20, [3, 7], { generator, dtype: 'int32' });
    const state: TextGenerationState = { h: randn([2, 3, 16], { generator, dtype }), c: randn([2, 3, 16], { generator, dtype }) };
    const expected = model.eval().call(tokens, state);
    const out = await session.run({ tokens: int64(tokens), h0: float(state.h), c0: float(state.c) });
    expect(out.logits!.dims).toEqual([3, 7, 20]);
    expect(out.hn!.dims).toEqual([2, 3, 16]);
    expect(maxAbsDiff(values(out.logits!), expected.logits.data)).toBeLessThan(tolerance);
    expect(maxAbsDiff(values(out.hn!), expected.state.h.data)).toBeLessThan(tolerance);
    expect(maxAbsDiff(values(out.cn!), expected.state.c.data)).toBeLessThan(tolerance);
  });

  it.each([
    ['float32', 1e-5],
    ['float64', 1e-10],
  ] as const)(
    '%s: 12 steps of time 1, feeding hn and cn back as h0 and c0, follow tensorloom step by step to %s',
    async (dtype, tolerance) => {
      const model = smallModel(21, dtype);
      const session = await ort.InferenceSession.create(onnxModelBytes(model));
      const generator = new Generator(22);
      let state = model.initialState(3);
      let h0 = float(state.h);
      let c0 = float(state.c);
      for (let step = 0; step < 12; step++) {
        const tokens = randint(0, 20, [3], { generator, dtype: 'int32' });
        const expected = model.eval().step(tokens, state);
        const out = await session.run({ tokens: int64(tokens.reshape([3, 1])), h0, c0 });
        expect(maxAbsDiff(values(out.logits!), expected.logits.data)).toBeLessThan(tolerance);
        expect(maxAbsDiff(values(out.hn!), expected.state.h.data)).toBeLessThan(tolerance);
        expect(maxAbsDiff(values(out.cn!), expected.state.c.data)).toBeLessThan(tolerance);
        state = expected.state;
        h0 = out.hn!;
        c0 = out.cn!;
      }
    },
  );

  it('a model in training mode with dropout exports its inference graph (no dropout)', async () => {
    const model = new TextGenerationModel({
      vocabSize: 9,
      embeddingDim: 4,
      hiddenSize: 5,
      numLayers: 2,
      dropout: 0.5,
      generator: new Generator(3),
    });
    model.train();
    const bytes = onnxModelBytes(model);
    expect(model.training).toBe(true);
    const session = await ort.InferenceSession.create(bytes);
    const tokens = randint(0, 9, [2, 4], { generator: new Generator(4), dtype: 'int32' });
    const zeros = model.initialState(2);
    const expected = model.eval().call(tokens);
    const out = await session.run({ tokens: int64(tokens), h0: float(zeros.h), c0: float(zeros.c) });
    expect(maxAbsDiff(values(out.logits!), expected.logits.data)).toBeLessThan(1e-5);
  });

  it('an LSTM with projections is refused with an ExportError naming it', () => {
    class Projected extends TextGenerationModel {
      constructor() {
        super({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4, numLayers: 1 });
        this.registerModule('lstm', new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2 }));
      }
    }
    expect(() => onnxModelBytes(new Projected())).toThrow(ExportError);
    expect(() => onnxModelBytes(new Projected())).toThrow(/'lstm'.*projSize 2/);
  });
});
