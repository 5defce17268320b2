import { describe, expect, it } from 'vitest';
import { record } from './autograd.js';
import { add, mul } from './ops/arithmetic.js';
import { clone } from './ops/cast.js';
import { tensor } from './ops/creation.js';
import { sum } from './ops/reduce.js';
import { reshape } from './ops/shape.js';
import type { Tensor } from './tensor.js';

/** Whether two tensors' storages share any byte. */
function sharesStorage(a: Tensor, b: Tensor): boolean {
  if (a.data.buffer !== b.data.buffer) return false;
  return a.data.byteOffset < b.data.byteOffset + b.data.byteLength && b.data.byteOffset < a.data.byteOffset + a.data.byteLength;
}

const f64 = { dtype: 'float64' } as const;

describe('leaf gradients: taken without a copy only when nothing else sees them', () => {
  it('a leaf keeps the fresh gradient its backward made, uncopied', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const made: Tensor[] = [];
    const y = record(tensor([2, 4], f64), 'double', [x], (g) => {
      const dx = mul(g, 2);
      made.push(dx);
      return [dx];
    });
    sum(y).backward();
    expect(x.grad).toBe(made[0]);
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });

  it('two leaves fed the same gradient tensor (add) get separate storages', () => {
    const a = tensor([1, 2], { ...f64, requiresGrad: true });
    const b = tensor([3, 4], { ...f64, requiresGrad: true });
    sum(mul(add(a, b), 5)).backward();
    expect(sharesStorage(a.grad!, b.grad!)).toBe(false);
    a.grad!.data.fill(-1);
    expect(b.grad!.toArray()).toEqual([5, 5]);
  });

  it('a leaf fed a view of another leaf’s gradient (reshape, then add) gets a copy', () => {
    const a = tensor([[1, 2]], { ...f64, requiresGrad: true });
    const b = tensor([3, 4], { ...f64, requiresGrad: true });
    sum(mul(add(reshape(a, [2]), b), 3)).backward();
    expect(sharesStorage(a.grad!, b.grad!)).toBe(false);
    b.grad!.data.fill(-1);
    expect(a.grad!.toArray()).toEqual([[3, 3]]);
  });

  it('the gradient passed to backward is copied, not taken, even through identity-like ops', () => {
    const seed = tensor([1, 10], f64);
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    clone(x).backward(seed);
    const z = tensor([[5, 6]], { ...f64, requiresGrad: true });
    reshape(z, [2]).backward(seed);
    const leaf = tensor([7, 8], { ...f64, requiresGrad: true });
    leaf.backward(seed);
    for (const t of [x, z, leaf]) {
      expect(sharesStorage(t.grad!, seed)).toBe(false);
      t.grad!.data.fill(0);
    }
    expect(seed.toArray()).toEqual([1, 10]);
  });

  it('a gradient that is an op’s input or output is copied', () => {
    // f(x, w) = x·w elementwise with a backward that returns its operands as they are (valid for
    // a gradient of ones), and e(v) = a stand-in for exp whose backward returns its own output.
    const x = tensor([2, 3], { ...f64, requiresGrad: true });
    const w = tensor([5, 7], f64);
    const product = record(tensor([10, 21], f64), 'product', [x, w], () => [w, null]);
    sum(product).backward();
    expect(x.grad!.toArray()).toEqual([5, 7]);
    x.grad!.data.fill(0);
    expect(w.toArray()).toEqual([5, 7]);

    const v = tensor([0, 1], { ...f64, requiresGrad: true });
    const out = tensor([1, Math.E], f64);
    record(out, 'expLike', [v], () => [out]);
    sum(out).backward();
    expect(sharesStorage(v.grad!, out)).toBe(false);
    v.grad!.data.fill(0);
    expect(out.toArray()).toEqual([1, Math.E]);
  });

  it('a retained non-leaf gradient and the leaf gradient behind it are separate', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const y = clone(x).retainGrad();
    sum(mul(y, 4)).backward();
    expect(sharesStorage(x.grad!, y.grad!)).toBe(false);
    x.grad!.data.fill(-1);
    expect(y.grad!.toArray()).toEqual([4, 4]);
  });

  it('retainGraph: a second backward accumulates, and editing the first gradient in place changes nothing', () => {
    const x = tensor([1, 3], { ...f64, requiresGrad: true });
    const y = sum(mul(x, x));
    y.backward(undefined, { retainGraph: true });
    const first = x.grad!;
    expect(first.toArray()).toEqual([2, 6]);
    y.backward(undefined, { retainGraph: true });
    expect(x.grad!.toArray()).toEqual([4, 12]);
    expect(first.toArray()).toEqual([2, 6]);

    x.grad!.data.fill(100);
    x.grad = null;
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 6]);
    expect(x.toArray()).toEqual([1, 3]);
  });

  it('a gradient already held by a graph tensor is never taken by a leaf', () => {
    // The backward hands the leaf the gradient that an earlier pass left on the non-leaf `h`.
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const h = mul(x, 1).retainGrad();
    sum(h).backward(undefined, { retainGraph: true });
    const held = h.grad!;
    const p = tensor([0, 0], { ...f64, requiresGrad: true });
    const q = record(tensor([0, 0], f64), 'hands', [p, h], () => [held, null]);
    sum(q).backward();
    expect(sharesStorage(p.grad!, held)).toBe(false);
    p.grad!.data.fill(-1);
    expect(held.toArray()).toEqual([1, 1]);
  });
});
