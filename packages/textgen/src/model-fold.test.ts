import { Generator, crossEntropy, randint, transpose, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { TextGenerationModel } from './model.js';

// The model's LSTM reads the embedding's output directly, so its first layer takes the input
// projection from the table E·W_ihᵀ (core-tensor's embeddingProjection). The plain reference runs
// the same modules on a clone of the embedding output.

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

/** The loss on time-major tokens [T, B] and every parameter's gradient, through forwardTimeMajor or the plain path. */
function lossAndGrads(dtype: FloatDType, path: 'timeMajor' | 'batchFirst' | 'plain'): { values: Tensor[]; folded: boolean } {
  const model = new TextGenerationModel({ vocabSize: 7, embeddingDim: 4, hiddenSize: 5, numLayers: 2, dtype, generator: new Generator(9) });
  const g = new Generator(10);
  const tokens = randint(0, 7, [6, 3], { generator: g }); // [T, B]
  const targets = randint(0, 7, [18], { generator: g });
  let logits: Tensor;
  if (path === 'timeMajor') logits = model.forwardTimeMajor(tokens).logits;
  else if (path === 'batchFirst') logits = transpose(model.forward(transpose(tokens, 0, 1)).logits, 0, 1);
  else logits = model.linear.call(model.lstm.call(model.embedding.call(tokens).clone()).output);
  const loss = crossEntropy(logits.reshape([18, 7]), targets);
  const folded = hasOp(loss, 'embeddingProjection');
  loss.backward();
  return { values: [loss, ...model.parameters().map((p) => p.grad!)], folded };
}

describe('TextGenerationModel with the embedding folded into the LSTM', () => {
  it('forwardTimeMajor and forward take the fold and equal the plain path (loss and every gradient)', () => {
    for (const [dtype, tolerance] of [
      ['float32', 1e-5],
      ['float64', 1e-10],
    ] as const) {
      const plain = lossAndGrads(dtype, 'plain');
      expect(plain.folded).toBe(false);
      for (const path of ['timeMajor', 'batchFirst'] as const) {
        const folded = lossAndGrads(dtype, path);
        expect(folded.folded).toBe(true);
        folded.values.forEach((v, k) => expectClose(v, plain.values[k]!, { rtol: tolerance, atol: tolerance }));
      }
    }
  });
});
