import { describe, expect, it } from 'vitest';
import { noGrad } from '../autograd.js';
import { DTypeError, ShapeError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { add, mul } from './arithmetic.js';
import { randn, zeros } from './creation.js';
import { stack, unbind } from './join.js';
import { linear } from './matmul.js';
import { sum } from './reduce.js';
import { gruCell, lstmCell } from './recurrent.js';
import { gruSequence, lstmSequence } from './recurrent-sequence.js';

type Float = 'float32' | 'float64';

function leaf(gen: Generator, shape: number[], dtype: Float = 'float64', scale = 1): Tensor {
  const t = randn(shape, { dtype, generator: gen });
  return (scale === 1 ? t : noGrad(() => mul(t, scale))).requiresGrad_();
}

/** Time indices in processing order. */
function order(steps: number, reverse: boolean): number[] {
  const ts = Array.from({ length: steps }, (_, k) => k);
  return reverse ? ts.reverse() : ts;
}

/** The LSTM recurrence unrolled step by step with `lstmCell` (what `unroll` did before the fused op). */
function lstmSteps(
  xProj: Tensor,
  h0: Tensor,
  c0: Tensor,
  weightHH: Tensor,
  biasHH: Tensor | null,
  reverse: boolean,
  biasIH: Tensor | null = null,
): Tensor[] {
  const xs = unbind(biasIH ? add(xProj, biasIH) : xProj, 0);
  const outputs = new Array<Tensor>(xs.length);
  let h = h0;
  let c = c0;
  for (const t of order(xs.length, reverse)) {
    ({ h, c } = lstmCell(add(xs[t]!, linear(h, weightHH, biasHH)), c));
    outputs[t] = h;
  }
  return [stack(outputs, 0), h, c];
}

function gruSteps(
  xProj: Tensor,
  h0: Tensor,
  weightHH: Tensor,
  biasHH: Tensor | null,
  reverse: boolean,
  biasIH: Tensor | null = null,
): Tensor[] {
  const xs = unbind(biasIH ? add(xProj, biasIH) : xProj, 0);
  const outputs = new Array<Tensor>(xs.length);
  let h = h0;
  for (const t of order(xs.length, reverse)) {
    h = gruCell(xs[t]!, linear(h, weightHH, biasHH), h);
    outputs[t] = h;
  }
  return [stack(outputs, 0), h];
}

/** Values and gradients of `run` on fresh copies of `inputs`, with the loss Σ_k Σ(values[k] ⊙ seeds[k]). */
function valuesAndGrads(
  inputs: readonly Tensor[],
  run: (...xs: Tensor[]) => Tensor[],
  seeds: readonly (Tensor | null)[],
): { values: Tensor[]; grads: (Tensor | null)[] } {
  const copies = inputs.map((x) => x.detach().clone().requiresGrad_(x.requiresGrad));
  const values = run(...copies);
  let loss: Tensor | null = null;
  values.forEach((v, k) => {
    const seed = seeds[k];
    if (seed) loss = loss === null ? sum(mul(v, seed)) : add(loss, sum(mul(v, seed)));
  });
  (loss as Tensor | null)!.backward();
  return { values, grads: copies.map((x) => x.grad) };
}

function expectSame(a: ReturnType<typeof valuesAndGrads>, b: ReturnType<typeof valuesAndGrads>, tol: { rtol: number; atol: number }): void {
  a.values.forEach((v, k) => expectClose(v, b.values[k]!, { ...tol, message: `output ${k}` }));
  a.grads.forEach((g, k) => {
    const other = b.grads[k]!;
    if (g === null || other === null) expect(g).toBe(other);
    else expectClose(g, other, { ...tol, message: `gradient of input ${k}` });
  });
}

interface Sizes {
  T: number;
  B: number;
  H: number;
}

function lstmInputs(gen: Generator, { T, B, H }: Sizes, dtype: Float): Tensor[] {
  return [
    leaf(gen, [T, B, 4 * H], dtype),
    leaf(gen, [B, H], dtype, 0.5),
    leaf(gen, [B, H], dtype, 0.5),
    leaf(gen, [4 * H, H], dtype, 0.4),
    leaf(gen, [4 * H], dtype, 0.3),
    leaf(gen, [4 * H], dtype, 0.3),
  ];
}

function gruInputs(gen: Generator, { T, B, H }: Sizes, dtype: Float): Tensor[] {
  return [
    leaf(gen, [T, B, 3 * H], dtype),
    leaf(gen, [B, H], dtype, 0.5),
    leaf(gen, [3 * H, H], dtype, 0.4),
    leaf(gen, [3 * H], dtype, 0.3),
    leaf(gen, [3 * H], dtype, 0.3),
  ];
}

function seedsFor(gen: Generator, shapes: number[][], dtype: Float): Tensor[] {
  return shapes.map((s) => randn(s, { dtype, generator: gen }));
}

const SIZES: readonly Sizes[] = [
  { T: 5, B: 3, H: 4 },
  { T: 1, B: 1, H: 3 },
  { T: 4, B: 1, H: 5 },
  { T: 1, B: 2, H: 2 },
];

describe('lstmSequence', () => {
  for (const reverse of [false, true]) {
    for (const sizes of SIZES) {
      it(
        `passes gradcheck in xProj, h0, c0, weightHH, biasIH and biasHH ` +
          `(T=${sizes.T}, B=${sizes.B}, H=${sizes.H}${reverse ? ', reversed' : ''})`,
        () => {
          const inputs = lstmInputs(new Generator(10 + sizes.T), sizes, 'float64');
          const fn = (x: Tensor, h: Tensor, c: Tensor, w: Tensor, bi: Tensor, b: Tensor): Tensor[] =>
            Object.values(lstmSequence(x, h, c, w, { biasIH: bi, biasHH: b, reverse }));
          expect(
            gradcheck((...xs) => fn(...(xs as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor])), inputs, { name: 'lstmSequence' }),
          ).toBe(true);
        },
      );
    }
  }

  for (const [dtype, tol] of [
    ['float64', { rtol: 1e-12, atol: 1e-12 }],
    ['float32', { rtol: 1e-5, atol: 1e-5 }],
  ] as const) {
    for (const reverse of [false, true]) {
      it(`equals the step-by-step lstmCell unroll in ${dtype}${reverse ? ' (reversed)' : ''}: output, h, c and every gradient`, () => {
        const gen = new Generator(20);
        const sizes = { T: 7, B: 4, H: 6 };
        const inputs = lstmInputs(gen, sizes, dtype);
        const seeds = seedsFor(
          gen,
          [
            [7, 4, 6],
            [4, 6],
            [4, 6],
          ],
          dtype,
        );
        const fused = valuesAndGrads(
          inputs,
          (x, h, c, w, bi, b) => Object.values(lstmSequence(x!, h!, c!, w!, { biasIH: bi!, biasHH: b!, reverse })),
          seeds,
        );
        const steps = valuesAndGrads(inputs, (x, h, c, w, bi, b) => lstmSteps(x!, h!, c!, w!, b!, reverse, bi!), seeds);
        expectSame(fused, steps, tol);
      });
    }
  }

  it('gives the gradients when only the final h, only the final c or only the output reaches the loss', () => {
    const gen = new Generator(30);
    const inputs = lstmInputs(gen, { T: 4, B: 2, H: 3 }, 'float64');
    const all = seedsFor(
      gen,
      [
        [4, 2, 3],
        [2, 3],
        [2, 3],
      ],
      'float64',
    );
    for (const k of [0, 1, 2]) {
      const seeds = all.map((s, j) => (j === k ? s : null));
      const fused = valuesAndGrads(
        inputs,
        (x, h, c, w, bi, b) => Object.values(lstmSequence(x!, h!, c!, w!, { biasIH: bi!, biasHH: b! })),
        seeds,
      );
      const steps = valuesAndGrads(inputs, (x, h, c, w, bi, b) => lstmSteps(x!, h!, c!, w!, b!, false, bi!), seeds);
      expectSame(fused, steps, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it('runs without biases, with only one of them, and with only some inputs requiring gradients', () => {
    const gen = new Generator(31);
    const [x, h0, c0, w] = lstmInputs(gen, { T: 3, B: 2, H: 3 }, 'float64') as [Tensor, Tensor, Tensor, Tensor];
    h0.requiresGrad = false;
    c0.requiresGrad = false;
    const seeds = seedsFor(
      gen,
      [
        [3, 2, 3],
        [2, 3],
        [2, 3],
      ],
      'float64',
    );
    const fused = valuesAndGrads([x, h0, c0, w], (a, b, c, d) => Object.values(lstmSequence(a!, b!, c!, d!)), seeds);
    const steps = valuesAndGrads([x, h0, c0, w], (a, b, c, d) => lstmSteps(a!, b!, c!, d!, null, false), seeds);
    expectSame(fused, steps, { rtol: 1e-12, atol: 1e-12 });
    expect(fused.grads[1]).toBeNull();
    // Only b_ih, or only b_hh: either is added to every step's gates.
    const b = leaf(gen, [12], 'float64', 0.3);
    const steps2 = valuesAndGrads([x, h0, c0, w, b], (a, b1, c, d, e) => lstmSteps(a!, b1!, c!, d!, e!, false), seeds);
    for (const key of ['biasIH', 'biasHH'] as const) {
      const only = valuesAndGrads(
        [x, h0, c0, w, b],
        (a, b1, c, d, e) => Object.values(lstmSequence(a!, b1!, c!, d!, { [key]: e! })),
        seeds,
      );
      expectSame(only, steps2, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it('records nothing and saves nothing under noGrad, with the same values', () => {
    const inputs = lstmInputs(new Generator(32), { T: 3, B: 2, H: 2 }, 'float64');
    const [x, h0, c0, w, , b] = inputs as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const free = noGrad(() => lstmSequence(x, h0, c0, w, { biasHH: b }));
    expect(free.output.requiresGrad).toBe(false);
    expectClose(free.output, lstmSequence(x, h0, c0, w, { biasHH: b }).output, { rtol: 0, atol: 0 });
  });

  it('handles an empty batch and zero steps (the initial state comes back)', () => {
    const gen = new Generator(33);
    const [x, h0, c0, w] = lstmInputs(gen, { T: 3, B: 0, H: 2 }, 'float64') as [Tensor, Tensor, Tensor, Tensor];
    expect(lstmSequence(x, h0, c0, w).output.shape).toEqual([3, 0, 2]);
    const [, h1, c1, w1] = lstmInputs(gen, { T: 1, B: 2, H: 2 }, 'float64') as [Tensor, Tensor, Tensor, Tensor];
    const none = lstmSequence(zeros([0, 2, 8], { dtype: 'float64' }), h1, c1, w1);
    expect(none.output.shape).toEqual([0, 2, 2]);
    expectClose(none.h, h1, { rtol: 0, atol: 0 });
    expectClose(none.c, c1, { rtol: 0, atol: 0 });
  });

  it('promotes mixed float inputs to float64', () => {
    const gen = new Generator(34);
    const [x, h0, c0, w] = lstmInputs(gen, { T: 2, B: 1, H: 2 }, 'float32') as [Tensor, Tensor, Tensor, Tensor];
    expect(lstmSequence(x, h0.double(), c0, w).output.dtype).toBe('float64');
  });

  it('throws ShapeError for mismatched shapes and DTypeError for int32 inputs', () => {
    const gen = new Generator(35);
    const [x, h0, c0, w] = lstmInputs(gen, { T: 2, B: 3, H: 2 }, 'float64') as [Tensor, Tensor, Tensor, Tensor];
    expect(() => lstmSequence(x, h0, c0, w, { biasHH: zeros([7], { dtype: 'float64' }) })).toThrow(ShapeError);
    expect(() => lstmSequence(x.reshape([6, 8]), h0, c0, w)).toThrow(ShapeError);
    expect(() => lstmSequence(x, h0, zeros([3, 3], { dtype: 'float64' }), w)).toThrow(ShapeError);
    expect(() => lstmSequence(x, h0, c0, zeros([8, 3], { dtype: 'float64' }))).toThrow(ShapeError);
    expect(() => lstmSequence(x, zeros([2, 2], { dtype: 'float64' }), c0, w)).toThrow(ShapeError);
    expect(() => lstmSequence(x, h0.int(), c0, w)).toThrow(DTypeError);
  });
});

describe('gruSequence', () => {
  for (const reverse of [false, true]) {
    for (const sizes of SIZES) {
      it(
        `passes gradcheck in xProj, h0, weightHH, biasIH and biasHH ` +
          `(T=${sizes.T}, B=${sizes.B}, H=${sizes.H}${reverse ? ', reversed' : ''})`,
        () => {
          const inputs = gruInputs(new Generator(40 + sizes.T), sizes, 'float64');
          const fn = (x: Tensor, h: Tensor, w: Tensor, bi: Tensor, b: Tensor): Tensor[] =>
            Object.values(gruSequence(x, h, w, { biasIH: bi, biasHH: b, reverse }));
          expect(gradcheck((...xs) => fn(...(xs as [Tensor, Tensor, Tensor, Tensor, Tensor])), inputs, { name: 'gruSequence' })).toBe(true);
        },
      );
    }
  }

  for (const [dtype, tol] of [
    ['float64', { rtol: 1e-12, atol: 1e-12 }],
    ['float32', { rtol: 1e-5, atol: 1e-5 }],
  ] as const) {
    for (const reverse of [false, true]) {
      it(`equals the step-by-step gruCell unroll in ${dtype}${reverse ? ' (reversed)' : ''}: output, h and every gradient`, () => {
        const gen = new Generator(50);
        const inputs = gruInputs(gen, { T: 7, B: 4, H: 6 }, dtype);
        const seeds = seedsFor(
          gen,
          [
            [7, 4, 6],
            [4, 6],
          ],
          dtype,
        );
        const fused = valuesAndGrads(
          inputs,
          (x, h, w, bi, b) => Object.values(gruSequence(x!, h!, w!, { biasIH: bi!, biasHH: b!, reverse })),
          seeds,
        );
        const steps = valuesAndGrads(inputs, (x, h, w, bi, b) => gruSteps(x!, h!, w!, b!, reverse, bi!), seeds);
        expectSame(fused, steps, tol);
      });
    }
  }

  it('gives the gradients when only the final h or only the output reaches the loss, and without biasHH', () => {
    const gen = new Generator(60);
    const [x, h0, w] = gruInputs(gen, { T: 4, B: 2, H: 3 }, 'float64') as [Tensor, Tensor, Tensor];
    const all = seedsFor(
      gen,
      [
        [4, 2, 3],
        [2, 3],
      ],
      'float64',
    );
    for (const k of [0, 1]) {
      const seeds = all.map((s, j) => (j === k ? s : null));
      const fused = valuesAndGrads([x, h0, w], (a, b, c) => Object.values(gruSequence(a!, b!, c!)), seeds);
      const steps = valuesAndGrads([x, h0, w], (a, b, c) => gruSteps(a!, b!, c!, null, false), seeds);
      expectSame(fused, steps, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it('gives an empty output and h0 back for zero steps', () => {
    const [, h0, w] = gruInputs(new Generator(62), { T: 1, B: 2, H: 3 }, 'float64') as [Tensor, Tensor, Tensor];
    const none = gruSequence(zeros([0, 2, 9], { dtype: 'float64' }), h0, w);
    expect(none.output.shape).toEqual([0, 2, 3]);
    expectClose(none.h, h0, { rtol: 0, atol: 0 });
  });

  it('throws ShapeError for a bias or weightHH of the wrong size', () => {
    const gen = new Generator(61);
    const [x, h0, w] = gruInputs(gen, { T: 2, B: 3, H: 2 }, 'float64') as [Tensor, Tensor, Tensor];
    expect(() => gruSequence(x, h0, w, { biasHH: zeros([8], { dtype: 'float64' }) })).toThrow(ShapeError);
    expect(() => gruSequence(x, h0, w, { biasIH: zeros([5], { dtype: 'float64' }) })).toThrow(ShapeError);
    expect(() => gruSequence(x, h0, zeros([8, 2], { dtype: 'float64' }))).toThrow(ShapeError);
  });
});
