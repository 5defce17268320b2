import { Generator, Tensor, linear, randn, zeros } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { GraphLinear } from './linear.js';

/** A [rows, cols] float32 matrix with about `density` of its entries non-zero (the rest exact zeros). */
function sparseMatrix(rows: number, cols: number, density: number, seed: number): Tensor {
  const gen = new Generator(seed);
  const x = zeros([rows, cols]);
  for (let i = 0; i < x.size; i++) if (gen.random() < density) x.data[i] = gen.uniform(-1, 1);
  return x;
}

describe('GraphLinear on mostly-zero dense inputs', () => {
  // 300 × 400 = 120k elements: past the size from which the layer scans for zeros.
  it.each([
    [0.01, 64],
    [0.2, 64],
    [0.01, 16],
  ])('at density %f with %i outputs gives the dense product and its weight gradient', (density, outFeatures) => {
    const x = sparseMatrix(300, 400, density, 1);
    const layer = new GraphLinear({ inFeatures: 400, outFeatures, generator: new Generator(2) });
    const g = randn([300, outFeatures], { generator: new Generator(3) });
    const y = layer.call(x);
    y.backward(g);
    const weight = layer.weight.detach().requiresGrad_();
    const bias = layer.bias!.detach().requiresGrad_();
    const expected = linear(x, weight, bias);
    expected.backward(g);
    expectClose(y, expected, { rtol: 1e-5, atol: 1e-5 });
    expectClose(layer.weight.grad!, weight.grad!, { rtol: 1e-5, atol: 1e-4 });
    expectClose(layer.bias!.grad!, bias.grad!, { rtol: 1e-5, atol: 1e-4 });
  });

  it('gives x its gradient when x needs one (the dense product)', () => {
    const x = sparseMatrix(300, 400, 0.01, 4).requiresGrad_();
    const layer = new GraphLinear({ inFeatures: 400, outFeatures: 64, generator: new Generator(5) });
    layer.call(x).sum().backward();
    expect(x.grad?.shape).toEqual([300, 400]);
  });
});
