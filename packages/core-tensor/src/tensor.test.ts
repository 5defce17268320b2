import { describe, expect, it } from 'vitest';
import { Tensor } from './tensor.js';
import { arange, eye, full, linspace, ones, rand, randint, randn, tensor, zeros } from './ops/creation.js';
import { DTypeError, ShapeError, ValueError } from './errors.js';
import { manualSeed } from './random/generator.js';

describe('tensor creation', () => {
  it('infers the shape of nested arrays and defaults to float32', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('makes a 0-d tensor from a number and reads it with item()', () => {
    const t = tensor(2.5, { dtype: 'float64' });
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(2.5);
    expect(t.toArray()).toBe(2.5);
  });

  it('takes typed arrays with an explicit shape and keeps their dtype', () => {
    const t = tensor(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(t.dtype).toBe('int32');
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('rejects ragged arrays and sizes that do not fill the shape', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(ShapeError);
  });

  it('rounds float32 storage and truncates int32 storage', () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: 'float64' }).data[0]).toBe(0.1);
  });

  it('creates empty tensors', () => {
    const t = zeros([0, 3]);
    expect(t.size).toBe(0);
    expect(t.toArray()).toEqual([]);
    expect(tensor([]).shape).toEqual([0]);
  });

  it('fills constants', () => {
    expect(full([2], 7, { dtype: 'int32' }).toArray()).toEqual([7, 7]);
    expect(ones([2, 1]).toArray()).toEqual([[1], [1]]);
    expect(() => zeros([2, -1])).toThrow(ShapeError);
    expect(() => zeros([2.5])).toThrow(ShapeError);
  });

  it('makes ranges like torch.arange and torch.linspace', () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(3, 3).size).toBe(0);
    expect(() => arange(0, 5, 0)).toThrow(ValueError);
    expect(() => arange(0, 5, -1)).toThrow(ValueError);
    const l = linspace(0, 1, 5, { dtype: 'float64' });
    expect(l.toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(0, 1, 1).toArray()).toEqual([0]);
    expect(linspace(-1, 0.7, 7, { dtype: 'float64' }).data[6]).toBe(0.7);
  });

  it('makes identity matrices, square and rectangular', () => {
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('draws reproducible random tensors from the seeded global generator', () => {
    manualSeed(42);
    const a = randn([100]);
    const u = rand([100]);
    const i = randint(0, 10, [100]);
    manualSeed(42);
    expect(Array.from(randn([100]).data)).toEqual(Array.from(a.data));
    expect(Array.from(rand([100]).data)).toEqual(Array.from(u.data));
    expect(Array.from(randint(0, 10, [100]).data)).toEqual(Array.from(i.data));
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u.data)).toBeLessThan(1);
    expect(Math.min(...i.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...i.data)).toBeLessThan(10);
    expect(() => rand([2], { dtype: 'int32' })).toThrow(DTypeError);
  });
});

describe('Tensor', () => {
  it('refuses gradients on int32 tensors', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
  });

  it('refuses item() on tensors with more than one element', () => {
    expect(() => tensor([1, 2]).item()).toThrow(ValueError);
  });

  it('checks storage against shape in the constructor', () => {
    expect(() => new Tensor(new Float32Array(3), [2, 2], 'float32')).toThrow(ValueError);
  });

  it('renders readably, like PyTorch', () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]).toString(),
    ).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(tensor([0.5, 1.25], { dtype: 'float64' }).toString()).toBe('tensor([0.5000, 1.2500], dtype=float64)');
    expect(tensor([1, 2], { dtype: 'int32' }).toString()).toBe('tensor([1, 2], dtype=int32)');
    expect(tensor([NaN, Infinity, -Infinity, 1.5]).toString()).toBe('tensor([nan, inf, -inf, 1.5000])');
    expect(tensor(3).toString()).toBe('tensor(3.)');
    expect(tensor([1], { requiresGrad: true }).toString()).toBe('tensor([1.], requiresGrad=true)');
    expect(zeros([2000]).toString()).toContain('...');
  });

  it('detach shares values but not the graph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.data).toBe(x.data);
  });
});
