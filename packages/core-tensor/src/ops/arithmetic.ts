/**
 * Broadcasting arithmetic: add, sub, mul, div, pow, maximum, minimum, neg. Operands are tensors or
 * plain numbers; shapes broadcast as in NumPy/PyTorch (a ShapeError names both shapes otherwise),
 * and dtypes promote as PyTorch (int32 < float32 < float64; a number keeps the tensor's dtype
 * unless it is fractional next to int32). Each gradient is summed back to its input's shape
 * (`sumToShape`) and cast to its dtype, so broadcasting and mixed dtypes are differentiable.
 */
import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { ValueError } from '../errors.js';
import { binaryKernel, lift, resultType, sumToShape, unaryKernel, type TensorLike } from './helpers.js';
import { log } from './unary.js';
import { where, eq, ge, gt, logicalAnd, lt } from './compare.js';
import { cast } from './cast.js';

function binaryOp(
  op: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum',
  x: TensorLike,
  y: TensorLike,
  grads: (a: Tensor, b: Tensor, out: Tensor, g: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const a = lift(x, y);
  const b = lift(y, x);
  let type = resultType(x, y);
  // True division, as PyTorch: integers divide to float32.
  if (op === 'div' && type === 'int32') type = 'float32';
  const out = binaryKernel(op, a, b, type);
  return record(out, op, [a, b], (g) => {
    const [ga, gb] = grads(a, b, out, g);
    return [
      ga && a.requiresGrad ? cast(sumToShape(ga, a.shape), a.dtype) : null,
      gb && b.requiresGrad ? cast(sumToShape(gb, b.shape), b.dtype) : null,
    ];
  });
}

/**
 * `a + b`, elementwise. Gradient: `g` to both, summed to each shape.
 *
 * Shapes: `a`, `b` broadcast to the output shape.
 * @example add(tensor([[1, 2], [3, 4]]), tensor([10, 20]))  // [[11, 22], [13, 24]]
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('add', a, b, (_a, _b, _o, g) => [g, g]);
}

/**
 * `a − b`, elementwise. Gradient: `g` to a, `−g` to b.
 *
 * Shapes: `a`, `b` broadcast to the output shape.
 * @example sub(1, tensor([1, 2]))  // [0, -1]
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('sub', a, b, (_a, _b, _o, g) => [g, neg(g)]);
}

/**
 * `a ⊙ b`, elementwise (int32 wraps on overflow, as C). Gradient: `g·b` to a, `g·a` to b.
 *
 * Shapes: `a`, `b` broadcast to the output shape.
 * @example mul(tensor([1, 2, 3]), 2)  // [2, 4, 6]
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('mul', a, b, (x, y, _o, g) => [mul(g, y), mul(g, x)]);
}

/**
 * `a / b`, elementwise true division: int32 / int32 gives float32, as PyTorch; x/0 is ±∞ or NaN.
 * Gradient: `g/b` to a, `−g·a/b²` to b.
 *
 * Shapes: `a`, `b` broadcast to the output shape.
 * @example div(tensor([1, 3], { dtype: 'int32' }), 2)  // float32 [0.5, 1.5]
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  // d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −out/b
  return binaryOp('div', a, b, (_x, y, out, g) => [div(g, y), neg(div(mul(g, out), y))]);
}

/**
 * `a ** b`, broadcasting. int32 ** int32 stays int32 (truncated, so 2 ** −1 is 0, as PyTorch),
 * but a negative number as the exponent of an int32 tensor is a ValueError, as in PyTorch.
 * Gradients, as PyTorch: d/da = b·a^(b−1), taken as 0 where b = 0 (so 0 ** 0 has gradient 0);
 * d/db = a^b·ln a, taken as 0 where a = 0 and b ≥ 0 (the limit there).
 *
 * Shapes: `a`, `b` broadcast to the output shape.
 * @example pow(tensor([1, 2, 3]), 2)  // [1, 4, 9]; pow(2, tensor([0, 3]))  // [1, 8]
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && b < 0 && Number.isInteger(b) && resultType(a, b) === 'int32') {
    throw new ValueError(`pow: integers to negative integer powers are not allowed (exponent ${b} on an int32 tensor)`);
  }
  return binaryOp('pow', a, b, (x, y, out, g) => {
    const ga = x.requiresGrad ? where(eq(y, 0), 0, mul(g, mul(y, pow(x, sub(y, 1))))) : null;
    const gb = y.requiresGrad ? where(logicalAnd(eq(x, 0), ge(y, 0)), 0, mul(g, mul(out, log(x)))) : null;
    return [ga, gb];
  });
}

/**
 * Elementwise maximum, broadcasting; NaN on either side gives NaN. Gradient as PyTorch: the larger
 * side takes `g`, ties split it evenly, and where a NaN makes the sides incomparable both take `g`.
 *
 * Shapes: `a`, `b` broadcast to the output shape.
 * @example maximum(tensor([1, 5]), 3)  // [3, 5]
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('maximum', a, b, (x, y, _o, g) => minMaxGrads(x, y, g, true));
}

/**
 * Elementwise minimum, broadcasting; NaN on either side gives NaN. Gradient as PyTorch: the smaller
 * side takes `g`, ties split it evenly, and where a NaN makes the sides incomparable both take `g`.
 *
 * Shapes: `a`, `b` broadcast to the output shape.
 * @example minimum(tensor([1, 5]), 3)  // [1, 3]
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('minimum', a, b, (x, y, _o, g) => minMaxGrads(x, y, g, false));
}

function minMaxGrads(x: Tensor, y: Tensor, g: Tensor, isMax: boolean): [Tensor, Tensor] {
  // Each side takes g, halved on ties, and 0 where it strictly loses. NaN compares false both
  // ways, so neither side loses there.
  const shared = where(eq(x, y), mul(g, 0.5), g);
  const aLoses = isMax ? lt(x, y) : gt(x, y);
  const bLoses = isMax ? gt(x, y) : lt(x, y);
  return [where(aLoses, 0, shared), where(bLoses, 0, shared)];
}

/**
 * `−x`, elementwise; int32 stays int32. Gradient: `−g`.
 *
 * Shape: any → same.
 * @example neg(tensor([1, -2]))  // [-1, 2]
 */
export function neg(x: Tensor): Tensor {
  const out = unaryKernel('neg', x);
  return record(out, 'neg', [x], (g) => [neg(g)]);
}
