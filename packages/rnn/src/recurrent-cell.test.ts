import { Generator, ValueError, type Tensor } from '@tensorloom/core-tensor';
import { describe, expect, test } from 'vitest';
import { GRU } from './gru.js';
import { GRUCell } from './gru-cell.js';
import type { RecurrentInit } from './recurrent-init.js';
import { RNN } from './rnn.js';
import { RNNCell } from './rnn-cell.js';

const f64 = { dtype: 'float64' } as const;
const schemes: RecurrentInit[] = ['uniform', 'kaimingNormal', 'xavierUniform', 'orthogonal'];

/** The largest |(W Wᵀ − I)_rs| over the [rows, rows] Gram matrix of a [rows, cols] block. */
function orthogonalityError(data: Float32Array | Float64Array | Int32Array, rowStart: number, rows: number, cols: number): number {
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < rows; s++) {
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += data[(rowStart + r) * cols + k]! * data[(rowStart + s) * cols + k]!;
      worst = Math.max(worst, Math.abs(dot - (r === s ? 1 : 0)));
    }
  }
  return worst;
}

const values = (t: Tensor | null): number[] => Array.from(t!.data);

describe('RecurrentCell: the init option', () => {
  test("defaults to 'uniform' and does not print it", () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 4 });
    expect(cell.init).toBe('uniform');
    expect(cell.toString()).toBe('GRUCell(3, 4)');
    expect(new RNNCell({ inputSize: 3, hiddenSize: 4, init: 'orthogonal', nonlinearity: 'relu' }).toString()).toBe(
      'RNNCell(3, 4, init=orthogonal, nonlinearity=relu)',
    );
  });

  test.each(schemes)('a GRUCell and a one-layer GRU with init %s and the same seed draw the same parameters', (init) => {
    const cell = new GRUCell({ inputSize: 5, hiddenSize: 3, init, ...f64, generator: new Generator(7) });
    const layer = new GRU({ inputSize: 5, hiddenSize: 3, init, ...f64, generator: new Generator(7) });
    const layerState = layer.stateDict();
    for (const [name, p] of Object.entries(cell.stateDict())) expect(values(p)).toEqual(values(layerState[`${name}_l0`]!));
  });

  test.each(schemes)('an RNNCell and a one-layer RNN with init %s and the same seed draw the same parameters', (init) => {
    const cell = new RNNCell({ inputSize: 4, hiddenSize: 6, init, ...f64, generator: new Generator(8) });
    const layer = new RNN({ inputSize: 4, hiddenSize: 6, init, ...f64, generator: new Generator(8) });
    const layerState = layer.stateDict();
    for (const [name, p] of Object.entries(cell.stateDict())) expect(values(p)).toEqual(values(layerState[`${name}_l0`]!));
  });

  test.each(['kaimingNormal', 'xavierUniform', 'orthogonal'] as const)(
    'zeroes both biases and draws nonzero weights under init %s',
    (init) => {
      const cell = new RNNCell({ inputSize: 3, hiddenSize: 4, init, generator: new Generator(9) });
      expect(values(cell.bias_ih).every((v) => v === 0)).toBe(true);
      expect(values(cell.bias_hh).every((v) => v === 0)).toBe(true);
      expect(values(cell.weight_ih).some((v) => v !== 0)).toBe(true);
      expect(values(cell.weight_hh).some((v) => v !== 0)).toBe(true);
    },
  );

  test("draws each r, z, n block of a GRUCell's weight_hh orthogonal under init orthogonal", () => {
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 4, init: 'orthogonal', ...f64, generator: new Generator(10) });
    for (let block = 0; block < 3; block++) expect(orthogonalityError(cell.weight_hh.data, block * 4, 4, 4)).toBeLessThan(1e-10);
    // The whole [3H, H] matrix is not: three orthonormal H×H blocks cannot be orthonormal together.
    expect(orthogonalityError(cell.weight_hh.data, 0, 12, 4)).toBeGreaterThan(0.5);
  });

  test('draws kaimingNormal weights with variance 2/fanIn', () => {
    const cell = new RNNCell({ inputSize: 200, hiddenSize: 100, init: 'kaimingNormal', ...f64, generator: new Generator(11) });
    const w = values(cell.weight_ih);
    const variance = w.reduce((sum, v) => sum + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(0.9 * (2 / 200));
    expect(variance).toBeLessThan(1.1 * (2 / 200));
  });

  test('resetParameters redraws with the scheme, replaying a generator seed', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 2, init: 'xavierUniform', generator: new Generator(12) });
    const first = values(cell.weight_ih);
    cell.weight_ih.data.fill(5);
    cell.bias_ih!.data.fill(5);
    cell.resetParameters({ generator: new Generator(12) });
    expect(values(cell.weight_ih)).toEqual(first);
    expect(values(cell.bias_ih).every((v) => v === 0)).toBe(true);
  });

  test('throws a ValueError for an unknown init', () => {
    expect(() => new GRUCell({ inputSize: 3, hiddenSize: 4, init: 'he' as RecurrentInit })).toThrow(ValueError);
    expect(() => new RNNCell({ inputSize: 3, hiddenSize: 4, init: 'normal' as RecurrentInit })).toThrow(ValueError);
  });
});

describe('forgetBias on kinds without a forget gate', () => {
  test('is refused by GRU and RNN layers and cells with a ValueError', async () => {
    const { ValueError } = await import('@tensorloom/core-tensor');
    const { GRU } = await import('./gru.js');
    const { RNN } = await import('./rnn.js');
    const { GRUCell } = await import('./gru-cell.js');
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, forgetBias: 1 })).toThrow(ValueError);
    expect(() => new RNN({ inputSize: 2, hiddenSize: 3, forgetBias: 1 })).toThrow(ValueError);
    expect(() => new GRUCell({ inputSize: 2, hiddenSize: 3, forgetBias: 1 })).toThrow(ValueError);
  });
});
