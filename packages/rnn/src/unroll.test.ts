import { Generator, randn, stack, tanh, tensor, unbind, zeros, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import type { CellKind } from './cell-kind.js';
import { rnnKind } from './rnn-kind.js';
import { unroll } from './unroll.js';

const f64 = { dtype: 'float64' } as const;
const kind = rnnKind('tanh');

/** A two-state toy kind, to check that every state tensor is carried and masked: h' = tanh(xProj + c), c' = c + xProj. */
const twoState: CellKind = {
  name: 'TWO_STATE',
  chunks: 1,
  stateNames: ['h', 'c'],
  parameterShapes: () => ({}),
  stateSizes: (dims) => [dims.hiddenSize, dims.hiddenSize],
  step: (xProj, [, c]) => [tanh(xProj.add(c!)), c!.add(xProj)],
};

function reverseTime(x: Tensor): Tensor {
  return stack(unbind(x, 0).reverse(), 0);
}

function setup(seed: number, steps = 4, batch = 2, hidden = 3) {
  const g = new Generator(seed);
  return {
    xProj: randn([steps, batch, hidden], { ...f64, generator: g }),
    h0: randn([batch, hidden], { ...f64, generator: g }),
    params: { weight_hh: randn([hidden, hidden], { ...f64, generator: g }).mul(0.5), bias_hh: randn([hidden], { ...f64, generator: g }) },
  };
}

describe('unroll', () => {
  test('runs step after step from the initial state and stacks the outputs in time order', () => {
    const { xProj, h0, params } = setup(1);
    const { output, state } = unroll(kind, xProj, [h0], params);
    let h = h0;
    const hs: Tensor[] = [];
    for (const x of unbind(xProj, 0)) hs.push((h = kind.step(x, [h], params)[0]!));
    expectClose(output, stack(hs, 0), { atol: 0, rtol: 0 });
    expectClose(state[0]!, h, { atol: 0, rtol: 0 });
  });

  test('reverse walks from the last step to the first, keeping outputs in time order', () => {
    const { xProj, h0, params } = setup(2);
    const backward = unroll(kind, xProj, [h0], params, { reverse: true });
    const onFlipped = unroll(kind, reverseTime(xProj), [h0], params);
    expectClose(backward.output, reverseTime(onFlipped.output), { atol: 0, rtol: 0 });
    expectClose(backward.state[0]!, onFlipped.state[0]!, { atol: 0, rtol: 0 });
  });

  test('masked steps keep every state tensor and output zeros', () => {
    const { xProj, h0 } = setup(3);
    const c0 = randn([2, 3], f64);
    // Sequence 0 skips step 1 (a hole); sequence 1 is padded after 2 steps.
    const mask = tensor(
      [
        [1, 1],
        [0, 1],
        [1, 0],
        [1, 0],
      ],
      { ...f64, shape: [4, 2, 1] },
    );
    const { output, state } = unroll(twoState, xProj, [h0, c0], {}, { mask });
    const x = unbind(xProj, 0).map((t) => unbind(t, 0));
    const run = (b: number, steps: number[]): Tensor[] => {
      let h = unbind(h0, 0)[b]!;
      let c = unbind(c0, 0)[b]!;
      for (const t of steps) [h, c] = twoState.step(x[t]![b]!, [h, c], {}) as [Tensor, Tensor];
      return [h, c];
    };
    const [h0End, c0End] = run(0, [0, 2, 3]);
    const [h1End, c1End] = run(1, [0, 1]);
    expectClose(state[0]!, stack([h0End!, h1End!], 0), { atol: 0, rtol: 0 });
    expectClose(state[1]!, stack([c0End!, c1End!], 0), { atol: 0, rtol: 0 });
    const out = output.toArray() as number[][][];
    expect(out[1]![0]).toEqual([0, 0, 0]);
    expect(out[2]![1]).toEqual([0, 0, 0]);
    expect(out[3]![1]).toEqual([0, 0, 0]);
  });

  test('in reverse with end padding, each sequence starts from its own last real step', () => {
    const { xProj, h0, params } = setup(4);
    const mask = tensor(
      [
        [1, 1],
        [1, 1],
        [1, 0],
        [1, 0],
      ],
      { ...f64, shape: [4, 2, 1] },
    );
    const { output, state } = unroll(kind, xProj, [h0], params, { mask });
    const backward = unroll(kind, xProj, [h0], params, { mask, reverse: true });
    // Sequence 1 alone (its 2 real steps), reversed:
    const short = unroll(kind, xProj.slice(0, 0, 2).slice(1, 1, 2), [h0.slice(0, 1, 2)], params, { reverse: true });
    expectClose(backward.state[0]!.slice(0, 1, 2), short.state[0]!, { atol: 0, rtol: 0 });
    expectClose(backward.output.slice(0, 0, 2).slice(1, 1, 2), short.output, { atol: 0, rtol: 0 });
    expect(output.shape).toEqual([4, 2, 3]);
    expect(state[0]!.shape).toEqual([2, 3]);
  });

  test('the gradient wrt a masked step’s input is exactly zero', () => {
    const { xProj: base, h0, params } = setup(5);
    const xProj = base.detach();
    xProj.requiresGrad = true;
    const mask = tensor(
      [
        [1, 1],
        [1, 0],
        [1, 0],
        [0, 0],
      ],
      { ...f64, shape: [4, 2, 1] },
    );
    for (const reverse of [false, true]) {
      xProj.grad = null;
      const { output, state } = unroll(kind, xProj, [h0], params, { mask, reverse });
      output.square().sum().add(state[0]!.sum()).backward();
      const grad = xProj.grad!.toArray() as number[][][];
      for (const [t, b] of [
        [1, 1],
        [2, 1],
        [3, 0],
        [3, 1],
      ] as const)
        expect(grad[t]![b]).toEqual([0, 0, 0]);
      expect(grad[0]![1]!.some((v) => v !== 0)).toBe(true);
    }
  });

  test('zero steps give an empty output and the initial state', () => {
    const h0 = randn([2, 3], f64);
    const { output, state } = unroll(kind, zeros([0, 2, 3], f64), [h0], setup(6).params);
    expect(output.shape).toEqual([0, 2, 3]);
    expect(output.dtype).toBe('float64');
    expect(state[0]).toBe(h0);
  });

  test('gradcheck: backpropagation through time, forwards, reversed and masked', () => {
    const { xProj, h0, params } = setup(7, 3, 2, 2);
    for (const t of [xProj, h0, params.weight_hh, params.bias_hh]) t.requiresGrad = true;
    const mask = tensor(
      [
        [1, 1],
        [1, 0],
        [0, 0],
      ],
      { ...f64, shape: [3, 2, 1] },
    );
    for (const options of [{}, { reverse: true }, { mask }, { mask, reverse: true }]) {
      const fn = (x?: Tensor, h?: Tensor, w?: Tensor, b?: Tensor) => {
        const r = unroll(kind, x!, [h!], { weight_hh: w!, bias_hh: b! }, options);
        return [r.output, r.state[0]!];
      };
      expect(gradcheck(fn, [xProj, h0, params.weight_hh, params.bias_hh])).toBe(true);
    }
  });
});
