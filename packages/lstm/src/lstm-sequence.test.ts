import { Generator, randn, sum, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { RecurrentLayer } from '@tensorloom/rnn';
import { describe, expect, it } from 'vitest';
import { LSTM, type LSTMOptions } from './lstm.js';
import { lstmKind } from './lstm-kind.js';

/** PyTorch's LSTM through the step-by-step path (`lstmCell` per step): the kind without its fused `sequence`. */
class StepLSTM extends RecurrentLayer<'h' | 'c'> {
  constructor(options: LSTMOptions) {
    super({ ...lstmKind, sequence: undefined }, options);
  }
}

interface Run {
  values: Record<string, Tensor>;
  grads: Record<string, Tensor | null>;
}

/** Forward and backward on copies of the input and initial state; the loss weighs output, h and c by fixed seeds. */
function run(layer: RecurrentLayer<'h' | 'c'>, input: Tensor, state: { h: Tensor; c: Tensor }, seeds: Tensor[]): Run {
  const x = input.detach().clone().requiresGrad_();
  const h = state.h.detach().clone().requiresGrad_();
  const c = state.c.detach().clone().requiresGrad_();
  const result = layer.forward(x, { state: { h, c } });
  const values = { output: result.output, h: result.state.h, c: result.state.c };
  Object.values(values)
    .map((v, k) => sum(v.mul(seeds[k]!)))
    .reduce((a, b) => a.add(b))
    .backward();
  const grads: Record<string, Tensor | null> = { input: x.grad, h0: h.grad, c0: c.grad };
  for (const [name, p] of layer.namedParameters()) grads[name] = p.grad;
  return { values, grads };
}

function compare(options: LSTMOptions, dtype: FloatDType, tol: { rtol: number; atol: number }): void {
  const fused = new LSTM({ ...options, dtype, generator: new Generator(1) });
  const steps = new StepLSTM({ ...options, dtype });
  steps.loadStateDict(fused.stateDict());
  const g = new Generator(2);
  const [T, B] = [6, 3];
  const D = fused.numDirections;
  const layers = fused.numLayers * D;
  const R = fused.outputSize;
  const input = randn(options.batchFirst ? [B, T, options.inputSize] : [T, B, options.inputSize], { dtype, generator: g });
  const state = { h: randn([layers, B, R], { dtype, generator: g }), c: randn([layers, B, options.hiddenSize], { dtype, generator: g }) };
  const seeds = [
    randn(options.batchFirst ? [B, T, D * R] : [T, B, D * R], { dtype, generator: g }),
    randn([layers, B, R], { dtype, generator: g }),
    randn([layers, B, options.hiddenSize], { dtype, generator: g }),
  ];
  const a = run(fused, input, state, seeds);
  const b = run(steps, input, state, seeds);
  for (const [name, v] of Object.entries(a.values)) expectClose(v, b.values[name]!, { ...tol, message: name });
  expect(Object.keys(a.grads)).toEqual(Object.keys(b.grads));
  for (const [name, grad] of Object.entries(a.grads)) {
    expect(grad, name).not.toBeNull();
    expectClose(grad!, b.grads[name]!, { ...tol, message: `gradient of ${name}` });
  }
}

const CONFIGS: readonly [string, LSTMOptions][] = [
  ['one layer', { inputSize: 5, hiddenSize: 6 }],
  ['two bidirectional layers, batchFirst', { inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: true }],
  ['no bias', { inputSize: 3, hiddenSize: 4, bias: false }],
  ['a projection (the fused op declines: step by step on both sides)', { inputSize: 3, hiddenSize: 5, projSize: 2, bidirectional: true }],
];

describe('LSTM fused sequence (lstmSequence) against the step-by-step lstmCell path', () => {
  for (const [dtype, tol] of [
    ['float64', { rtol: 1e-12, atol: 1e-12 }],
    ['float32', { rtol: 1e-5, atol: 1e-5 }],
  ] as const) {
    for (const [label, options] of CONFIGS) {
      it(`gives equal outputs, final h and c, and every gradient in ${dtype}: ${label}`, () => compare(options, dtype, tol));
    }
  }

  it('runs the whole loop as one op: one tape node for the recurrence instead of one per step', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, generator: new Generator(3) });
    const { output } = lstm.forward(randn([50, 2, 2], { generator: new Generator(4) }));
    expect(output.gradFn?.op).toBe('lstmSequence');
  });

  it('declines a projected layer (sequence returns null), so unroll runs lstmCell', () => {
    const params = { weight_hh: randn([8, 1]), bias_hh: null, weight_hr: randn([1, 2]) };
    expect(lstmKind.sequence!(randn([3, 1, 8]), [randn([1, 1]), randn([1, 2])], params, { reverse: false, inputBias: null })).toBeNull();
  });
});
