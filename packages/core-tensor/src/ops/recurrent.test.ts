import { describe, expect, it } from 'vitest';
import { noGrad } from '../autograd.js';
import { DTypeError, ShapeError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { sigmoid, tanh } from './activation.js';
import { add, mul, sub } from './arithmetic.js';
import { randn, tensor, zeros } from './creation.js';
import { chunk } from './join.js';
import { sum } from './reduce.js';
import { gruCell, lstmCell } from './recurrent.js';

type Float = 'float32' | 'float64';

function leaf(gen: Generator, shape: number[], dtype: Float = 'float64', scale = 1): Tensor {
  const t = randn(shape, { dtype, generator: gen });
  const scaled = scale === 1 ? t : noGrad(() => mul(t, scale));
  return scaled.requiresGrad_();
}

/** The LSTM step as public ops, as `lstmKind` wrote it before the fused op. */
function lstmComposed(gates: Tensor, cPrev: Tensor): { h: Tensor; c: Tensor } {
  const [i, f, g, o] = chunk(gates, 4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const c = add(mul(sigmoid(f), cPrev), mul(sigmoid(i), tanh(g)));
  return { h: mul(sigmoid(o), tanh(c)), c };
}

/** The GRU step as public ops (PyTorch's formula). */
function gruComposed(xProj: Tensor, hProj: Tensor, hPrev: Tensor): Tensor {
  const [xr, xz, xn] = chunk(xProj, 3, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = chunk(hProj, 3, -1) as [Tensor, Tensor, Tensor];
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  return add(n, mul(z, sub(hPrev, n)));
}

/** Values and gradients of `run` on fresh copies of `inputs`, for comparing two implementations. */
function valuesAndGrads(
  inputs: readonly Tensor[],
  run: (...xs: Tensor[]) => Tensor[],
  seeds: readonly Tensor[],
): { values: Tensor[]; grads: (Tensor | null)[] } {
  const copies = inputs.map((x) => x.detach().clone().requiresGrad_(x.requiresGrad));
  const values = run(...copies);
  const loss = values.reduce<Tensor | null>(
    (acc, v, k) => (seeds[k] === undefined ? acc : acc === null ? sum(mul(v, seeds[k]!)) : add(acc, sum(mul(v, seeds[k]!)))),
    null,
  );
  loss!.backward();
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

describe('lstmCell', () => {
  it('equals the composition of public ops to 1e-12 in float64, values and gradients', () => {
    const gen = new Generator(1);
    const gates = leaf(gen, [5, 4 * 6], 'float64', 2);
    const cPrev = leaf(gen, [5, 6]);
    const seeds = [randn([5, 6], { dtype: 'float64', generator: gen }), randn([5, 6], { dtype: 'float64', generator: gen })];
    const fused = valuesAndGrads([gates, cPrev], (g, c) => Object.values(lstmCell(g!, c!)), seeds);
    const composed = valuesAndGrads([gates, cPrev], (g, c) => Object.values(lstmComposed(g!, c!)), seeds);
    expectSame(fused, composed, { rtol: 1e-12, atol: 1e-12 });
    // The values are the same floating-point operations in the same order: bit for bit.
    fused.values.forEach((v, k) => expect(Array.from(v.data)).toEqual(Array.from(composed.values[k]!.data)));
  });

  it('passes gradcheck in gates and cPrev for both outputs', () => {
    const gen = new Generator(2);
    const gates = leaf(gen, [3, 4 * 4], 'float64', 1.5);
    const cPrev = leaf(gen, [3, 4]);
    expect(gradcheck((g, c) => Object.values(lstmCell(g!, c!)), [gates, cPrev], { name: 'lstmCell' })).toBe(true);
  });

  it('gives the gradient when only h (or only c) reaches the loss', () => {
    const gen = new Generator(3);
    const gates = leaf(gen, [2, 4 * 3]);
    const cPrev = leaf(gen, [2, 3]);
    const seed = randn([2, 3], { dtype: 'float64', generator: gen });
    for (const which of ['h', 'c'] as const) {
      const fused = valuesAndGrads([gates, cPrev], (g, c) => [lstmCell(g!, c!)[which]], [seed]);
      const composed = valuesAndGrads([gates, cPrev], (g, c) => [lstmComposed(g!, c!)[which]], [seed]);
      expectSame(fused, composed, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it('chains over steps like an unrolled LSTM (h and c both feed the next step)', () => {
    const gen = new Generator(4);
    const H = 3;
    const xs = [leaf(gen, [2, 4 * H]), leaf(gen, [2, 4 * H]), leaf(gen, [2, 4 * H])];
    const weight = leaf(gen, [4 * H, H], 'float64', 0.5);
    const run =
      (cell: typeof lstmComposed) =>
      (w: Tensor, ...inputs: Tensor[]) => {
        let h = zeros([2, H], { dtype: 'float64' });
        let c = zeros([2, H], { dtype: 'float64' });
        for (const x of inputs) ({ h, c } = cell(add(x, h.matmul(w.transpose(0, 1))), c));
        return [h, c];
      };
    const seeds = [randn([2, H], { dtype: 'float64', generator: gen }), randn([2, H], { dtype: 'float64', generator: gen })];
    expectSame(valuesAndGrads([weight, ...xs], run(lstmCell), seeds), valuesAndGrads([weight, ...xs], run(lstmComposed), seeds), {
      rtol: 1e-12,
      atol: 1e-12,
    });
  });

  it('accumulates across two backward passes with retainGraph', () => {
    const gen = new Generator(5);
    const gates = leaf(gen, [2, 8]);
    const cPrev = leaf(gen, [2, 2]);
    const { h, c } = lstmCell(gates, cPrev);
    const loss = add(sum(h), sum(mul(c, 3)));
    loss.backward(undefined, { retainGraph: true });
    const once = gates.grad!.clone();
    loss.backward();
    expectClose(gates.grad!, mul(once, 2), { rtol: 1e-14 });
  });

  it('agrees with the float64 step to float32 precision on float32 inputs', () => {
    const gen = new Generator(6);
    const gates = leaf(gen, [4, 4 * 5], 'float32', 2);
    const cPrev = leaf(gen, [4, 5], 'float32');
    const out = lstmCell(gates, cPrev);
    const ref = lstmCell(gates.to('float64'), cPrev.to('float64'));
    expect(out.h.dtype).toBe('float32');
    expectClose(out.h, ref.h, { rtol: 1e-6, atol: 1e-7 });
    expectClose(out.c, ref.c, { rtol: 1e-6, atol: 1e-7 });
  });

  it('takes any leading shape: unbatched [4H] and [T, B, 4H]', () => {
    const gen = new Generator(7);
    for (const lead of [[], [2, 3]]) {
      const gates = leaf(gen, [...lead, 8]);
      const cPrev = leaf(gen, [...lead, 2]);
      const fused = lstmCell(gates, cPrev);
      const composed = lstmComposed(gates, cPrev);
      expect(fused.h.shape).toEqual([...lead, 2]);
      expectClose(fused.h, composed.h, { rtol: 1e-12 });
      expectClose(fused.c, composed.c, { rtol: 1e-12 });
    }
  });

  it('stays finite for saturated gates and records nothing under noGrad', () => {
    // Blocks i, f, g, o of H = 2: each gate fully open (+1000) or shut (−1000).
    const gates = tensor([[1000, -1000, -1000, 1000, 1000, -1000, 1000, -1000]], { requiresGrad: true });
    const { h, c } = noGrad(() => lstmCell(gates, tensor([[0.5, -0.5]])));
    expect(h.requiresGrad).toBe(false);
    expect(h.gradFn).toBeNull();
    expectClose(c, [[1, -0.5]]);
    expectClose(h, [[Math.tanh(1), 0]]);
  });

  it('promotes mixed float dtypes and sends each input a gradient of its own dtype', () => {
    const gen = new Generator(8);
    const gates = leaf(gen, [2, 8], 'float32');
    const cPrev = leaf(gen, [2, 2], 'float64');
    const { h } = lstmCell(gates, cPrev);
    expect(h.dtype).toBe('float64');
    sum(h).backward();
    expect(gates.grad!.dtype).toBe('float32');
    expect(cPrev.grad!.dtype).toBe('float64');
  });

  it('rejects mismatched shapes with ShapeError and int32 with DTypeError', () => {
    expect(() => lstmCell(zeros([2, 8]), zeros([2, 3]))).toThrow(ShapeError);
    expect(() => lstmCell(zeros([2, 8]), zeros([3, 2]))).toThrow(ShapeError);
    expect(() => lstmCell(zeros([8]), zeros([1, 2]))).toThrow(ShapeError);
    expect(() => lstmCell(zeros([4]), zeros([]))).toThrow(ShapeError);
    expect(() => lstmCell(zeros([2, 8], { dtype: 'int32' }), zeros([2, 2]))).toThrow(DTypeError);
  });
});

describe('gruCell', () => {
  it('equals the composition of public ops to 1e-12 in float64, values and gradients', () => {
    const gen = new Generator(11);
    const xProj = leaf(gen, [5, 3 * 6], 'float64', 2);
    const hProj = leaf(gen, [5, 3 * 6], 'float64', 2);
    const hPrev = leaf(gen, [5, 6]);
    const seeds = [randn([5, 6], { dtype: 'float64', generator: gen })];
    const fused = valuesAndGrads([xProj, hProj, hPrev], (x, hp, h) => [gruCell(x!, hp!, h!)], seeds);
    const composed = valuesAndGrads([xProj, hProj, hPrev], (x, hp, h) => [gruComposed(x!, hp!, h!)], seeds);
    expectSame(fused, composed, { rtol: 1e-12, atol: 1e-12 });
    expect(Array.from(fused.values[0]!.data)).toEqual(Array.from(composed.values[0]!.data));
  });

  it('passes gradcheck in all three inputs', () => {
    const gen = new Generator(12);
    const inputs = [leaf(gen, [3, 12], 'float64', 1.5), leaf(gen, [3, 12], 'float64', 1.5), leaf(gen, [3, 4])];
    expect(gradcheck((x, hp, h) => gruCell(x!, hp!, h!), inputs, { name: 'gruCell' })).toBe(true);
  });

  it('gives gradients only to the inputs that require them', () => {
    const gen = new Generator(13);
    const xProj = randn([2, 6], { dtype: 'float64', generator: gen });
    const hProj = leaf(gen, [2, 6]);
    const hPrev = randn([2, 2], { dtype: 'float64', generator: gen });
    sum(gruCell(xProj, hProj, hPrev)).backward();
    expect(xProj.grad).toBeNull();
    expect(hPrev.grad).toBeNull();
    expect(hProj.grad!.shape).toEqual([2, 6]);
  });

  it('agrees with the float64 step to float32 precision and takes an unbatched step', () => {
    const gen = new Generator(14);
    const [x, hp, h] = [leaf(gen, [3, 9], 'float32', 2), leaf(gen, [3, 9], 'float32', 2), leaf(gen, [3, 3], 'float32')];
    expectClose(gruCell(x, hp, h), gruCell(x.to('float64'), hp.to('float64'), h.to('float64')), { rtol: 1e-6, atol: 1e-7 });
    const one = gruCell(
      tensor([0.1, 0.2, 0.3], { dtype: 'float64' }),
      tensor([-0.1, 0.4, 0.5], { dtype: 'float64' }),
      tensor([0.7], { dtype: 'float64' }),
    );
    const r = 1 / (1 + Math.exp(-0));
    const z = 1 / (1 + Math.exp(-0.6));
    const n = Math.tanh(0.3 + r * 0.5);
    expectClose(one, [(1 - z) * n + z * 0.7], { rtol: 1e-14 });
  });

  it('rejects mismatched shapes with ShapeError and int32 with DTypeError', () => {
    expect(() => gruCell(zeros([2, 6]), zeros([2, 6]), zeros([2, 3]))).toThrow(ShapeError);
    expect(() => gruCell(zeros([2, 6]), zeros([2, 9]), zeros([2, 2]))).toThrow(ShapeError);
    expect(() => gruCell(zeros([2, 6]), zeros([2, 6]), zeros([2, 2], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});
