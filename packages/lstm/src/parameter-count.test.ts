import { ValueError, nn } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { LSTM } from './lstm.js';
import { lstmParameterCount } from './parameter-count.js';

/** Parameters of an LSTM and an nn.Linear head, counted from the built modules. */
function counted(o: {
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  layers: number;
  bidirectional: boolean;
  projSize: number;
  bias: boolean;
}): number {
  const lstm = new LSTM({
    inputSize: o.inputSize,
    hiddenSize: o.hiddenSize,
    numLayers: o.layers,
    bidirectional: o.bidirectional,
    projSize: o.projSize,
    bias: o.bias,
  });
  let total = lstm.parameters().reduce((s, p) => s + p.size, 0);
  if (o.outputSize > 0) {
    const head = new nn.Linear({ inFeatures: lstm.numDirections * lstm.outputSize, outFeatures: o.outputSize });
    total += head.parameters().reduce((s, p) => s + p.size, 0);
  }
  return total;
}

describe('lstmParameterCount', () => {
  it('equals the parameters() of LSTM plus a Linear head over many configurations', () => {
    let configurations = 0;
    for (const inputSize of [1, 3]) {
      for (const hiddenSize of [2, 5]) {
        for (const outputSize of [0, 4]) {
          for (const layers of [1, 3]) {
            for (const bidirectional of [false, true]) {
              for (const projSize of hiddenSize > 2 ? [0, 2] : [0, 1]) {
                for (const bias of [true, false]) {
                  const o = { inputSize, hiddenSize, outputSize, layers, bidirectional, projSize, bias };
                  expect(lstmParameterCount(o), JSON.stringify(o)).toBe(counted(o));
                  configurations++;
                }
              }
            }
          }
        }
      }
    }
    expect(configurations).toBe(128);
  });

  it("gives the course's 4(H·I + H·H + H) + O·H + O with biasConvention 'single'", () => {
    for (const [I, H, O] of [
      [10, 128, 10],
      [1, 1, 1],
      [3, 7, 2],
      [100, 256, 50],
    ] as const) {
      expect(lstmParameterCount({ inputSize: I, hiddenSize: H, outputSize: O, biasConvention: 'single' })).toBe(
        4 * (H * I + H * H + H) + O * H + O,
      );
    }
    expect(lstmParameterCount({ inputSize: 10, hiddenSize: 128, outputSize: 10, biasConvention: 'single' })).toBe(72_458);
  });

  it("counts PyTorch's second bias vector: 4H more per layer-direction than 'single'", () => {
    const base = { inputSize: 3, hiddenSize: 6, layers: 2, bidirectional: true };
    expect(lstmParameterCount(base) - lstmParameterCount({ ...base, biasConvention: 'single' })).toBe(4 * 6 * 2 * 2);
  });

  it('agrees with sum(p.numel()) of torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2): 640', () => {
    expect(lstmParameterCount({ inputSize: 3, hiddenSize: 5, layers: 2, bidirectional: true, projSize: 2 })).toBe(640);
  });

  it('leaves the head bias out with outputBias: false (the seed report’s formula)', () => {
    const [I, H, O] = [10, 128, 10];
    expect(lstmParameterCount({ inputSize: I, hiddenSize: H, outputSize: O, biasConvention: 'single', outputBias: false })).toBe(
      4 * (H * H + H * I + H) + H * O,
    );
  });

  it('throws ValueError for invalid sizes or conventions', () => {
    expect(() => lstmParameterCount({ inputSize: 0, hiddenSize: 2 })).toThrow(ValueError);
    expect(() => lstmParameterCount({ inputSize: 2, hiddenSize: 2, projSize: 2 })).toThrow(ValueError);
    expect(() => lstmParameterCount({ inputSize: 2, hiddenSize: 2, layers: 0 })).toThrow(ValueError);
    expect(() => lstmParameterCount({ inputSize: 2, hiddenSize: 2, biasConvention: 'tf' as 'single' })).toThrow(ValueError);
  });

  it('answers any number of layers at once (a closed form: sizes may come from untrusted files)', () => {
    const layers = 1e15;
    const first = 4 * 8 * (3 + 8) + 8 * 8;
    const rest = 4 * 8 * (8 + 8) + 8 * 8;
    expect(lstmParameterCount({ inputSize: 3, hiddenSize: 8, layers })).toBe(first + (layers - 1) * rest);
  });
});
