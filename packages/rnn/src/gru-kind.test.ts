import { tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { gruKind } from './gru-kind.js';

const f64 = { dtype: 'float64' } as const;
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

describe('gruKind', () => {
  test('packs three gates (r, z, n) into PyTorch-shaped parameters', () => {
    expect(gruKind.name).toBe('GRU');
    expect(gruKind.chunks).toBe(3);
    expect(gruKind.stateNames).toEqual(['h']);
    const shapes = gruKind.parameterShapes({ inputSize: 2, hiddenSize: 4, bias: true, projSize: 0 });
    expect(Object.keys(shapes)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(shapes).toEqual({ weight_ih: [12, 2], weight_hh: [12, 4], bias_ih: [12], bias_hh: [12] });
    expect(gruKind.parameterShapes({ inputSize: 2, hiddenSize: 4, bias: false, projSize: 0 }).bias_hh).toBeNull();
  });

  test('a step follows PyTorch: b_hn inside the reset product, z keeps the old state', () => {
    // H = 1: xProj = [x_r, x_z, x_n], h·W_hhᵀ + b_hh = [w_r·h + b_r, w_z·h + b_z, w_n·h + b_n].
    const xProj = tensor([[0.3, -0.2, 0.7]], f64);
    const h = 0.5;
    const w = [0.4, -0.6, 1.2];
    const b = [0.1, 0.2, -0.3];
    const [next] = gruKind.step(xProj, [tensor([[h]], f64)], {
      weight_hh: tensor([[w[0]!], [w[1]!], [w[2]!]], f64),
      bias_hh: tensor(b, f64),
    });
    const r = sigmoid(0.3 + w[0]! * h + b[0]!);
    const z = sigmoid(-0.2 + w[1]! * h + b[1]!);
    const n = Math.tanh(0.7 + r * (w[2]! * h + b[2]!));
    expectClose(next!, [[(1 - z) * n + z * h]], { rtol: 1e-12 });
    // The sheet's placement (b_hn outside r) would give a different value.
    const nOutside = Math.tanh(0.7 + r * w[2]! * h + b[2]!);
    expect(Math.abs((1 - z) * nOutside + z * h - next!.item())).toBeGreaterThan(1e-3);
  });

  test('a step on a batch of two with H = 2 matches the formula elementwise', () => {
    const xProj = tensor(
      [
        [0.1, -0.2, 0.3, 0.4, -0.5, 0.6],
        [1, 0, -1, 0.5, 0.25, -0.75],
      ],
      f64,
    );
    const hs = [
      [0.2, -0.1],
      [-0.3, 0.8],
    ];
    const W = [
      [0.5, -0.1],
      [0.2, 0.3],
      [-0.4, 0.6],
      [0.1, 0.1],
      [0.7, -0.2],
      [-0.3, -0.5],
    ];
    const bias = [0.05, -0.05, 0.1, -0.1, 0.2, -0.2];
    const [next] = gruKind.step(xProj, [tensor(hs, f64)], { weight_hh: tensor(W, f64), bias_hh: tensor(bias, f64) });
    const x = xProj.toArray() as number[][];
    const expected = hs.map((h, bi) =>
      [0, 1].map((j) => {
        const hp = (g: number): number => W[g * 2 + j]![0]! * h[0]! + W[g * 2 + j]![1]! * h[1]! + bias[g * 2 + j]!;
        const r = sigmoid(x[bi]![j]! + hp(0));
        const z = sigmoid(x[bi]![2 + j]! + hp(1));
        const n = Math.tanh(x[bi]![4 + j]! + r * hp(2));
        return (1 - z) * n + z * h[j]!;
      }),
    );
    expectClose(next!, expected, { rtol: 1e-12 });
  });

  test('a step without biases treats b_hh as zero', () => {
    const [next] = gruKind.step(tensor([[0.3, -0.2, 0.7]], f64), [tensor([[0.5]], f64)], {
      weight_hh: tensor([[0.4], [-0.6], [1.2]], f64),
      bias_hh: null,
    });
    const r = sigmoid(0.3 + 0.2);
    const z = sigmoid(-0.2 - 0.3);
    const n = Math.tanh(0.7 + r * 0.6);
    expectClose(next!, [[(1 - z) * n + z * 0.5]], { rtol: 1e-12 });
  });
});
