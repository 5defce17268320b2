import { Generator, randn, sum, tensor, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import type { CellKind } from './cell-kind.js';
import { GRU } from './gru.js';
import { gruKind } from './gru-kind.js';
import { RecurrentLayer, type RecurrentLayerOptions as GRUOptions } from './recurrent-layer.js';
import { unroll } from './unroll.js';

/** PyTorch's GRU through the step-by-step path: the same kind without its fused `sequence`. */
class StepGRU extends RecurrentLayer<'h'> {
  constructor(options: GRUOptions) {
    super({ ...gruKind, sequence: undefined }, { ...options, projSize: 0 });
  }
}

interface Run {
  output: Tensor;
  h: Tensor;
  grads: Record<string, Tensor | null>;
}

/** Forward and backward of `layer` on copies of the input and initial state, with loss Σ output ⊙ seed + Σ h ⊙ hSeed. */
function run(layer: RecurrentLayer<'h'>, input: Tensor, h0: Tensor, seeds: [Tensor, Tensor]): Run {
  const x = input.detach().clone().requiresGrad_();
  const h = h0.detach().clone().requiresGrad_();
  const result = layer.forward(x, { state: { h } });
  sum(result.output.mul(seeds[0]))
    .add(sum(result.state.h.mul(seeds[1])))
    .backward();
  const grads: Record<string, Tensor | null> = { input: x.grad, h0: h.grad };
  for (const [name, p] of layer.namedParameters()) grads[name] = p.grad;
  return { output: result.output, h: result.state.h, grads };
}

function expectSameRuns(a: Run, b: Run, tol: { rtol: number; atol: number }): void {
  expectClose(a.output, b.output, { ...tol, message: 'output' });
  expectClose(a.h, b.h, { ...tol, message: 'h' });
  expect(Object.keys(a.grads)).toEqual(Object.keys(b.grads));
  for (const [name, g] of Object.entries(a.grads)) {
    expect(g, name).not.toBeNull();
    expectClose(g!, b.grads[name]!, { ...tol, message: `gradient of ${name}` });
  }
}

const CONFIGS: readonly [string, Partial<GRUOptions>][] = [
  ['one layer', {}],
  ['two bidirectional layers, batchFirst', { numLayers: 2, bidirectional: true, batchFirst: true }],
  ['no bias', { bias: false }],
];

describe('GRU fused sequence (gruSequence) against the step-by-step path', () => {
  for (const [dtype, tol] of [
    ['float64', { rtol: 1e-12, atol: 1e-12 }],
    ['float32', { rtol: 1e-5, atol: 1e-5 }],
  ] as const) {
    for (const [label, extra] of CONFIGS) {
      test(`equal outputs, final state and every gradient in ${dtype}: ${label}`, () => {
        const options: GRUOptions = { inputSize: 5, hiddenSize: 6, dtype: dtype as FloatDType, generator: new Generator(1), ...extra };
        const fused = new GRU(options);
        const steps = new StepGRU(options);
        steps.loadStateDict(fused.stateDict());
        const g = new Generator(2);
        const layers = fused.numLayers * fused.numDirections;
        const input = randn(extra.batchFirst ? [3, 7, 5] : [7, 3, 5], { dtype, generator: g });
        const h0 = randn([layers, 3, 6], { dtype, generator: g });
        const seeds: [Tensor, Tensor] = [
          randn(extra.batchFirst ? [3, 7, fused.numDirections * 6] : [7, 3, fused.numDirections * 6], { dtype, generator: g }),
          randn([layers, 3, 6], { dtype, generator: g }),
        ];
        expectSameRuns(run(fused, input, h0, seeds), run(steps, input, h0, seeds), tol);
      });
    }
  }

  test('variable-length batches (lengths) run step by step and still match', () => {
    const options: GRUOptions = { inputSize: 3, hiddenSize: 4, dtype: 'float64', bidirectional: true, generator: new Generator(3) };
    const fused = new GRU(options);
    const steps = new StepGRU(options);
    steps.loadStateDict(fused.stateDict());
    const input = randn([5, 2, 3], { dtype: 'float64', generator: new Generator(4) });
    const a = fused.forward(input, { lengths: [5, 3] });
    const b = steps.forward(input, { lengths: [5, 3] });
    expectClose(a.output, b.output, { rtol: 0, atol: 0 });
    expectClose(a.state.h, b.state.h, { rtol: 0, atol: 0 });
  });
});

describe('unroll with a fused sequence', () => {
  const calls: string[] = [];
  /** gruKind whose sequence records that it ran, and declines with `decline`. */
  const recording = (decline: boolean): CellKind => ({
    ...gruKind,
    sequence(xProj, state, params, options) {
      calls.push(decline ? 'declined' : 'fused');
      return decline ? null : gruKind.sequence!(xProj, state, params, options);
    },
  });
  const g = new Generator(5);
  const xProj = randn([4, 2, 9], { dtype: 'float64', generator: g });
  const h0 = randn([2, 3], { dtype: 'float64', generator: g });
  const params = { weight_hh: randn([9, 3], { dtype: 'float64', generator: g }), bias_hh: randn([9], { dtype: 'float64', generator: g }) };
  const stepOnly: CellKind = { ...gruKind, sequence: undefined };

  test('runs the kind’s sequence for an unmasked walk, forward and reversed, with the step-by-step values', () => {
    calls.length = 0;
    for (const reverse of [false, true]) {
      const fused = unroll(recording(false), xProj, [h0], params, { reverse });
      const steps = unroll(stepOnly, xProj, [h0], params, { reverse });
      expectClose(fused.output, steps.output, { rtol: 1e-12, atol: 1e-12 });
      expectClose(fused.state[0]!, steps.state[0]!, { rtol: 1e-12, atol: 1e-12 });
    }
    expect(calls).toEqual(['fused', 'fused']);
  });

  test('falls back to the steps when the sequence declines, and never fuses a masked walk', () => {
    calls.length = 0;
    const declined = unroll(recording(true), xProj, [h0], params);
    expectClose(declined.output, unroll(stepOnly, xProj, [h0], params).output, { rtol: 0, atol: 0 });
    const mask = tensor([1, 1, 1, 1, 1, 0, 1, 0], { shape: [4, 2, 1], dtype: 'float64' });
    const masked = unroll(recording(false), xProj, [h0], params, { mask });
    expectClose(masked.output, unroll(stepOnly, xProj, [h0], params, { mask }).output, { rtol: 0, atol: 0 });
    expect(calls).toEqual(['declined']);
  });

  test('inputBias (b_ih left out of xProj) gives what adding it to xProj first gives, fused and step by step', () => {
    const bias = randn([9], { dtype: 'float64', generator: g });
    const expected = unroll(stepOnly, xProj.add(bias), [h0], params);
    for (const k of [gruKind, stepOnly]) {
      const result = unroll(k, xProj, [h0], params, { inputBias: bias });
      expectClose(result.output, expected.output, { rtol: 1e-12, atol: 1e-12 });
      expectClose(result.state[0]!, expected.state[0]!, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  test('a layer with zero time steps returns the initial state without calling the sequence', () => {
    calls.length = 0;
    const empty = unroll(recording(false), xProj.slice(0, 0, 0), [h0], params);
    expect(empty.output.shape).toEqual([0, 2, 3]);
    expect(calls).toEqual([]);
  });
});
