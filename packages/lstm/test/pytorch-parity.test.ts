/**
 * tensorloom's LSTM and LSTMCell against PyTorch 1.13: the fixtures in test/fixtures/ were written
 * by make_fixtures.py (see the README there). Each case loads PyTorch's state dict strictly, runs
 * forward and backward, and compares the output, h_n, c_n and the gradients of every parameter
 * (`weight_hr` too), the input, h0 and c0, float32 on both sides, to
 * |actual − expected| ≤ 1e-6 + 1e-5·|expected|. The checks are shared with the rnn package.
 *
 * Set TENSORLOOM_PARITY_REPORT=1 to print the largest errors per group.
 */
import { fileURLToPath } from 'node:url';
import { loadSafetensors, type Tensor } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ParityReport,
  casesOf,
  checkCellCase,
  checkLayerCase,
  checkLayerMaskCase,
  type CellCase,
  type LayerCase,
} from '../../rnn/test/parity-helpers.js';
import { LSTM, LSTMCell } from '../src/index.js';

const fixture = (name: string) => loadSafetensors(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
const lstmFixture = await fixture('lstm.safetensors');
const cellFixture = await fixture('lstm_cell.safetensors');

const report = new ParityReport();
afterAll(() => report.print());

describe('LSTM matches PyTorch nn.LSTM (lstm.safetensors)', () => {
  const { tensors, metadata } = lstmFixture;
  const cases = casesOf<LayerCase>(metadata);

  it('covers layers 1 and 2, bidirectional, batchFirst, no bias, initial states, unbatched, packed inputs and projections', () => {
    const all = Object.values(cases);
    for (const projected of [false, true]) {
      const group = all.filter((c) => (c.options.projSize ?? 0) > 0 === projected);
      expect(group.some((c) => c.options.numLayers === 1)).toBe(true);
      expect(group.some((c) => c.options.numLayers === 2 && c.options.bidirectional)).toBe(true);
      expect(group.some((c) => c.options.batchFirst)).toBe(true);
      expect(group.some((c) => !c.options.bias)).toBe(true);
      expect(group.some((c) => c.initialState)).toBe(true);
      expect(group.some((c) => !c.initialState)).toBe(true);
      expect(group.some((c) => c.unbatched)).toBe(true);
      expect(group.some((c) => c.lengths !== null && c.options.bidirectional)).toBe(true);
    }
  });

  it.each(Object.keys(cases))('LSTM case %s: output, h_n, c_n and the gradients of every parameter, the input, h0 and c0', (name) => {
    const testCase = cases[name]!;
    const layer = new LSTM({ ...testCase.options, projSize: testCase.options.projSize ?? 0 });
    checkLayerCase(report, (testCase.options.projSize ?? 0) > 0 ? 'LSTM projSize' : 'LSTM', layer, ['h', 'c'], tensors, name, testCase);
  });

  const packed = Object.keys(cases).filter((name) => cases[name]!.lengths !== null);
  it.each(packed)('LSTM case %s with a mask instead of lengths: the same output, h_n and c_n', (name) => {
    const testCase = cases[name]!;
    const layer = new LSTM({ ...testCase.options, projSize: testCase.options.projSize ?? 0 });
    checkLayerMaskCase(report, (testCase.options.projSize ?? 0) > 0 ? 'LSTM projSize' : 'LSTM', layer, ['h', 'c'], tensors, name, testCase);
  });
});

describe('LSTMCell matches PyTorch nn.LSTMCell over three carried steps (lstm_cell.safetensors)', () => {
  const { tensors, metadata } = cellFixture;
  const cases = casesOf<CellCase>(metadata);

  it('covers with and without bias and initial state, batched and unbatched', () => {
    const all = Object.values(cases);
    expect(all.some((c) => !c.options.bias)).toBe(true);
    expect(all.some((c) => !c.initialState)).toBe(true);
    expect(all.some((c) => c.unbatched)).toBe(true);
  });

  it.each(Object.keys(cases))(
    'LSTMCell case %s: every step’s h and c and the gradients of every parameter, the input, h0 and c0',
    (name) => {
      const testCase = cases[name]!;
      const cell = new LSTMCell(testCase.options);
      const step = (x: Tensor, state: Tensor[] | undefined) => {
        const { h, c } = cell.forward(x, state ? { h: state[0]!, c: state[1]! } : undefined);
        return [h, c];
      };
      checkCellCase(report, 'LSTMCell', cell, step, ['h', 'c'], tensors, name, testCase);
    },
  );
});
