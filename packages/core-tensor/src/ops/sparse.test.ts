import { describe, expect, it } from 'vitest';
import { DTypeError, IndexError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { ones, randn, tensor, zeros } from './creation.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { transpose } from './transpose.js';
import { SparseCSR, spmm } from './sparse.js';

const i32 = (values: readonly number[]): Int32Array => Int32Array.from(values);
const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });

interface Coo {
  row: Int32Array;
  col: Int32Array;
  values: number[];
}

/**
 * A random COO list over [rows, cols]: entries only in rows of even index below `rows − 1` and a
 * few odd ones, so some rows are empty, and every fourth entry repeated, so there are duplicates.
 */
function randomCoo(gen: Generator, rows: number, cols: number, count: number): Coo {
  const row: number[] = [];
  const col: number[] = [];
  for (let e = 0; e < count && rows > 1 && cols > 0; e++) {
    const r = gen.integer(0, rows - 1);
    if (r % 3 === 1) continue;
    row.push(r);
    col.push(gen.integer(0, cols));
    if (e % 4 === 0) {
      row.push(r);
      col.push(col[col.length - 1]!);
    }
  }
  return { row: i32(row), col: i32(col), values: row.map(() => gen.uniform(-2, 2)) };
}

/** The dense matrix of a COO list by plain loops (duplicates add up). */
function denseOf(coo: Coo, rows: number, cols: number, implicitOnes = false): number[][] {
  const dense = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  coo.row.forEach((r, e) => {
    dense[r]![coo.col[e]!]! += implicitOnes ? 1 : coo.values[e]!;
  });
  return dense;
}

function denseProduct(a: number[][], x: number[][]): number[][] {
  return a.map((row) => (x[0] === undefined ? [] : x[0].map((_, f) => row.reduce((s, v, c) => s + v * x[c]![f]!, 0))));
}

describe('SparseCSR.fromCoo', () => {
  it('sorts by row, then column, stably, and records the input position of every entry', () => {
    const a = SparseCSR.fromCoo(i32([2, 0, 2, 0, 2]), i32([1, 3, 0, 1, 1]), { shape: [3, 4], values: tensor([10, 20, 30, 40, 50]) });
    expect(Array.from(a.rowPtr)).toEqual([0, 2, 2, 5]);
    expect(Array.from(a.colIndex)).toEqual([1, 3, 0, 1, 1]);
    expect(Array.from(a.permutation!)).toEqual([3, 1, 2, 0, 4]);
    expect(a.values!.toArray()).toEqual([40, 20, 30, 10, 50]);
    expect(a.nnz).toBe(5);
    expect(a.shape).toEqual([3, 4]);
  });

  it('takes int32 tensors (a PyG edge_index row) as well as Int32Arrays', () => {
    const a = SparseCSR.fromCoo(tensor([1, 0], { dtype: 'int32' }), tensor([0, 1], { dtype: 'int32' }), { shape: [2, 2] });
    expect(a.toDense().toArray()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(a.values).toBeNull();
  });

  it('keeps duplicates by default and merges them into sums with sumDuplicates', () => {
    const row = i32([0, 1, 0, 0]);
    const col = i32([1, 1, 1, 0]);
    const kept = SparseCSR.fromCoo(row, col, { shape: [2, 2], values: tensor([1, 2, 3, 4]) });
    expect(kept.nnz).toBe(4);
    const merged = SparseCSR.fromCoo(row, col, { shape: [2, 2], values: tensor([1, 2, 3, 4]), sumDuplicates: true });
    expect(merged.nnz).toBe(3);
    expect(Array.from(merged.colIndex)).toEqual([0, 1, 1]);
    expect(merged.values!.toArray()).toEqual([4, 4, 2]);
    expect(Array.from(merged.permutation!)).toEqual([3, 0, 1]);
    expect(merged.toDense().toArray()).toEqual(kept.toDense().toArray());
    const counted = SparseCSR.fromCoo(row, col, { shape: [2, 2], sumDuplicates: true });
    expect(counted.values!.toArray()).toEqual([1, 2, 1]);
    expect(SparseCSR.fromCoo(i32([0]), i32([1]), { shape: [2, 2], sumDuplicates: true }).values).toBeNull();
  });

  it('builds an empty matrix from no pairs', () => {
    const a = SparseCSR.fromCoo(i32([]), i32([]), { shape: [3, 2] });
    expect(a.nnz).toBe(0);
    expect(Array.from(a.rowPtr)).toEqual([0, 0, 0, 0]);
    expect(a.toDense().toArray()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('sends the values gradient back to the input order, through the merge too', () => {
    const gen = new Generator(3);
    const row = i32([1, 0, 1, 0, 1]);
    const col = i32([0, 2, 0, 1, 2]);
    const x = randn([3, 2], { dtype: 'float64', generator: gen });
    const values = randn([5], { dtype: 'float64', requiresGrad: true, generator: gen });
    for (const sumDuplicates of [false, true]) {
      expect(gradcheck((v) => spmm(SparseCSR.fromCoo(row, col, { shape: [2, 3], values: v, sumDuplicates }), x), [values])).toBe(true);
    }
  });

  it('rejects out-of-range pairs, unequal lengths, bad shapes, values and index types', () => {
    expect(() => SparseCSR.fromCoo(i32([0, 2]), i32([0, 0]), { shape: [2, 2] })).toThrow(IndexError);
    expect(() => SparseCSR.fromCoo(i32([0]), i32([-1]), { shape: [2, 2] })).toThrow(IndexError);
    expect(() => SparseCSR.fromCoo(i32([0, 1]), i32([0]), { shape: [2, 2] })).toThrow(ShapeError);
    expect(() => SparseCSR.fromCoo(i32([0]), i32([0]), { shape: [2, -1] as unknown as [number, number] })).toThrow(ShapeError);
    expect(() => SparseCSR.fromCoo(i32([0]), i32([0]), { shape: [2, 2], values: tensor([1, 2]) })).toThrow(ShapeError);
    expect(() => SparseCSR.fromCoo(i32([0]), i32([0]), { shape: [2, 2], values: tensor([1], { dtype: 'int32' }) })).toThrow(DTypeError);
    expect(() => SparseCSR.fromCoo(tensor([0]), i32([0]), { shape: [2, 2] })).toThrow(DTypeError);
    expect(() => SparseCSR.fromCoo(tensor([[0]], { dtype: 'int32' }), i32([0]), { shape: [2, 2] })).toThrow(ShapeError);
  });
});

describe('SparseCSR', () => {
  it('checks the structure it is given', () => {
    const shape = [2, 3] as const;
    expect(new SparseCSR({ rowPtr: i32([0, 1, 2]), colIndex: i32([2, 0]), shape }).toDense().toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(() => new SparseCSR({ rowPtr: i32([0, 2]), colIndex: i32([0, 1]), shape })).toThrow(ShapeError);
    expect(() => new SparseCSR({ rowPtr: i32([0, 1, 3]), colIndex: i32([0, 1]), shape })).toThrow(ValueError);
    expect(() => new SparseCSR({ rowPtr: i32([0, 2, 1]), colIndex: i32([0]), shape })).toThrow(ValueError);
    expect(() => new SparseCSR({ rowPtr: i32([0, 2, 2]), colIndex: i32([1, 0]), shape })).toThrow(ValueError);
    expect(() => new SparseCSR({ rowPtr: i32([0, 1, 1]), colIndex: i32([3]), shape })).toThrow(IndexError);
    expect(() => new SparseCSR({ rowPtr: new Float32Array([0, 0, 0]) as unknown as Int32Array, colIndex: i32([]), shape })).toThrow(
      DTypeError,
    );
    expect(() => new SparseCSR({ rowPtr: i32([0, 1, 1]), colIndex: i32([0]), values: tensor([1, 2]), shape })).toThrow(ShapeError);
  });

  it('transposes to the dense transpose, with values, permutation and an empty row', () => {
    const gen = new Generator(7);
    const coo = randomCoo(gen, 6, 4, 14);
    const a = SparseCSR.fromCoo(coo.row, coo.col, { shape: [6, 4], values: tensor(coo.values, { dtype: 'float64' }) });
    const t = a.transpose();
    expect(t.shape).toEqual([4, 6]);
    expectClose(t.toDense(), transpose(a.toDense()), { atol: 0, rtol: 0 });
    for (let r = 0; r < 4; r++) {
      const cols = Array.from(t.colIndex.subarray(t.rowPtr[r]!, t.rowPtr[r + 1]!));
      expect(cols).toEqual([...cols].sort((p, q) => p - q));
    }
    // Each transposed entry still names its COO input position.
    for (let k = 0; k < t.nnz; k++) expect(t.values!.data[k]).toBe(coo.values[t.permutation![k]!]);
  });

  it('builds the transposed structure once and shares it with withValues copies', () => {
    const a = SparseCSR.fromCoo(i32([0, 1, 1, 2]), i32([1, 0, 2, 2]), { shape: [3, 3] });
    const t1 = a.transpose();
    const t2 = a.withValues(tensor([1, 2, 3, 4])).transpose();
    expect(t2.colIndex).toBe(t1.colIndex);
    expect(t2.rowPtr).toBe(t1.rowPtr);
    // The transpose of the transpose is the original structure, not a rebuilt copy.
    expect(t1.transpose().colIndex).toBe(a.colIndex);
    expect(t2.transpose().values!.toArray()).toEqual([1, 2, 3, 4]);
  });

  it('is built from the non-zeros of a dense matrix, and rejects int32 and other ranks', () => {
    const x = tensor(
      [
        [0, 2, 0],
        [0, 0, 0],
        [3, 0, -1],
      ],
      { dtype: 'float64' },
    );
    const a = SparseCSR.fromDense(x);
    expect(Array.from(a.rowPtr)).toEqual([0, 1, 1, 3]);
    expect(Array.from(a.colIndex)).toEqual([1, 0, 2]);
    expect(a.values!.dtype).toBe('float64');
    expect(a.toDense({ dtype: 'float64' }).toArray()).toEqual(x.toArray());
    expect(SparseCSR.fromDense(zeros([2, 3])).nnz).toBe(0);
    expect(() => SparseCSR.fromDense(tensor([[1]], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => SparseCSR.fromDense(tensor([1, 2]))).toThrow(ShapeError);
  });

  it('gives a dense matrix in the requested dtype, differentiably', () => {
    const a = SparseCSR.fromCoo(i32([0, 1, 1]), i32([1, 0, 0]), { shape: [2, 2], values: tensor([1, 2, 3]) });
    expect(a.toDense().dtype).toBe('float32');
    const dense = a.toDense({ dtype: 'float64' });
    expect(dense.dtype).toBe('float64');
    expect(dense.toArray()).toEqual([
      [0, 1],
      [5, 0],
    ]);
    expect(() => a.toDense({ dtype: 'int32' as 'float32' })).toThrow(DTypeError);
    const v = f64([1, 2, 3], true);
    expect(
      gradcheck(
        (w) =>
          mul(
            a.withValues(w).toDense(),
            f64([
              [1, 2],
              [3, 4],
            ]),
          ),
        [v],
      ),
    ).toBe(true);
  });
});

describe('spmm', () => {
  const cases: [string, number, number, number, number][] = [
    ['square with empty rows and duplicates', 7, 7, 20, 5],
    ['wide', 4, 9, 15, 3],
    ['tall', 9, 3, 12, 16],
    ['one feature column', 5, 6, 10, 1],
    ['no entries at all', 4, 3, 0, 2],
  ];
  for (const [label, rows, cols, count, feat] of cases) {
    it(`equals the dense product (${label})`, () => {
      const gen = new Generator(rows * 100 + feat);
      const coo = randomCoo(gen, rows, cols, count);
      const x = randn([cols, feat], { dtype: 'float64', generator: gen });
      const xRows = x.toArray() as number[][];
      for (const dtype of ['float64', 'float32'] as const) {
        const tol = dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-5 };
        const weighted = SparseCSR.fromCoo(coo.row, coo.col, { shape: [rows, cols], values: tensor(coo.values, { dtype }) });
        const xd = x.to(dtype);
        const y = spmm(weighted, xd);
        expect(y.shape).toEqual([rows, feat]);
        expect(y.dtype).toBe(dtype);
        expectClose(y, denseProduct(denseOf(coo, rows, cols), xRows), tol);
        expectClose(y, matmul(weighted.toDense(), xd), tol);
        const unweighted = SparseCSR.fromCoo(coo.row, coo.col, { shape: [rows, cols] });
        expectClose(spmm(unweighted, xd), denseProduct(denseOf(coo, rows, cols, true), xRows), tol);
      }
    });
  }

  it('takes a vector [c] and gives [r]', () => {
    const a = SparseCSR.fromCoo(i32([0, 0, 2]), i32([0, 1, 1]), { shape: [3, 2], values: tensor([2, 3, 4]) });
    const y = spmm(a, tensor([10, 1]));
    expect(y.shape).toEqual([3]);
    expect(y.toArray()).toEqual([23, 0, 4]);
  });

  it('handles zero rows, zero columns and zero features', () => {
    expect(spmm(SparseCSR.fromCoo(i32([]), i32([]), { shape: [0, 3] }), ones([3, 2])).shape).toEqual([0, 2]);
    expect(spmm(SparseCSR.fromCoo(i32([]), i32([]), { shape: [2, 0] }), ones([0, 2])).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(spmm(SparseCSR.fromCoo(i32([1]), i32([0]), { shape: [2, 1] }), ones([1, 0])).shape).toEqual([2, 0]);
  });

  it('propagates NaN and Infinity from x as the dense product does', () => {
    const a = SparseCSR.fromCoo(i32([0, 1]), i32([0, 1]), { shape: [2, 2] });
    const y = spmm(a, tensor([NaN, Infinity]));
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(y.data[1]).toBe(Infinity);
  });

  it('promotes float32 values and float64 x to float64', () => {
    const a = SparseCSR.fromCoo(i32([0]), i32([0]), { shape: [1, 1], values: tensor([0.1]) });
    const y = spmm(a, f64([[3]]));
    expect(y.dtype).toBe('float64');
    expect(y.data[0]).toBe(Math.fround(0.1) * 3);
  });

  it('is differentiable in x and the values, with empty rows, duplicates and a rectangular shape', () => {
    const gen = new Generator(11);
    const coo = randomCoo(gen, 5, 4, 12);
    const structure = SparseCSR.fromCoo(coo.row, coo.col, { shape: [5, 4] });
    const x = randn([4, 3], { dtype: 'float64', requiresGrad: true, generator: gen });
    const values = randn([structure.nnz], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((v, xx) => spmm(structure.withValues(v), xx), [values, x])).toBe(true);
    expect(gradcheck((xx) => spmm(structure, xx), [x])).toBe(true);
    const vector = randn([4], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((v, xx) => spmm(structure.withValues(v), xx), [values, vector])).toBe(true);
  });

  it('back-propagates through two layers that share one structure (a 2-layer GCN shape)', () => {
    const gen = new Generator(12);
    const coo = randomCoo(gen, 6, 6, 16);
    const a = SparseCSR.fromCoo(coo.row, coo.col, { shape: [6, 6], values: tensor(coo.values, { dtype: 'float64' }) });
    const x = randn([6, 3], { dtype: 'float64', generator: gen });
    const w1 = randn([3, 4], { dtype: 'float64', requiresGrad: true, generator: gen });
    const w2 = randn([4, 2], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((p, q) => spmm(a, matmul(spmm(a, matmul(x, p)).tanh(), q)), [w1, w2])).toBe(true);
    const loss = sum(spmm(a, matmul(x, w1)));
    loss.backward();
    expectClose(w1.grad!, matmul(transpose(x), matmul(transpose(a.toDense()), ones([6, 4], { dtype: 'float64' }))), {
      rtol: 1e-12,
      atol: 1e-12,
    });
  });

  it('rejects int32 x, an x of the wrong height or rank, and a non-sparse a', () => {
    const a = SparseCSR.fromCoo(i32([0]), i32([1]), { shape: [2, 3] });
    expect(() => spmm(a, tensor([[1], [2], [3]], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => spmm(a, ones([2, 4]))).toThrow(ShapeError);
    expect(() => spmm(a, ones([3, 2, 1]))).toThrow(ShapeError);
    expect(() => spmm(a, tensor(1))).toThrow(ShapeError);
    expect(() => spmm(ones([2, 3]) as unknown as SparseCSR, ones([3, 1]))).toThrow(ValueError);
  });
});
