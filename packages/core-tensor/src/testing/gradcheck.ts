/**
 * Gradient checking by central differences in float64, with PyTorch's default tolerances
 * (eps 1e-6, atol 1e-5, rtol 1e-3). The analytic Jacobian comes from one backward pass per output
 * element; the numerical one from two forward passes per input element.
 */
import { noGrad } from '../autograd.js';
import { DTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { AssertionMismatchError } from './expect-close.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Name used in the failure message. */
  name?: string;
}

type Outputs = Tensor | readonly Tensor[];

function asList(out: Outputs): readonly Tensor[] {
  return out instanceof Tensor ? [out] : out;
}

/**
 * Checks the gradients of `fn` with respect to every input that requires a gradient. Inputs must
 * be float64. Returns true, or throws `AssertionMismatchError` naming the input, the element and
 * both values.
 * @example gradcheck((a, b) => mul(a, b), [randn([3], { dtype: 'float64', requiresGrad: true }), …])
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Outputs, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, name = 'gradcheck' } = options;
  for (const [k, x] of inputs.entries()) {
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new DTypeError(`${name}: input ${k} requires grad but is ${x.dtype}; gradcheck needs float64`);
    }
  }
  const checked = inputs.map((x, k) => ({ x, k })).filter(({ x }) => x.requiresGrad);
  const outputs = noGrad(() => asList(fn(...inputs)).map((o) => o.detach()));
  const outSizes = outputs.map((o) => o.size);

  // Numerical Jacobian: numeric[input][inElem][outFlat]
  const numeric = checked.map(({ x }) => {
    const cols: Float64Array[] = [];
    for (let i = 0; i < x.size; i++) {
      const saved = x.data[i]!;
      x.data[i] = saved + eps;
      const plus = noGrad(() => asList(fn(...inputs)).map((o) => Float64Array.from(o.data)));
      x.data[i] = saved - eps;
      const minus = noGrad(() => asList(fn(...inputs)).map((o) => Float64Array.from(o.data)));
      x.data[i] = saved;
      const col = new Float64Array(outSizes.reduce((s, n) => s + n, 0));
      let off = 0;
      plus.forEach((p, o) => {
        for (let j = 0; j < p.length; j++) col[off + j] = (p[j]! - minus[o]![j]!) / (2 * eps);
        off += p.length;
      });
      cols.push(col);
    }
    return cols;
  });

  // Analytic Jacobian, one backward per output element.
  let outFlat = 0;
  for (let o = 0; o < outputs.length; o++) {
    for (let j = 0; j < outSizes[o]!; j++, outFlat++) {
      for (const { x } of checked) x.grad = null;
      const outs = asList(fn(...inputs));
      const target = outs[o]!;
      if (!target.requiresGrad) {
        // An output that does not depend on any input has a zero Jacobian.
        for (const [c] of checked.entries()) assertColumn(name, checked[c]!.k, numeric[c]!, outFlat, null, atol, rtol);
        continue;
      }
      const seed = Tensor.empty(target.shape, target.dtype);
      seed.data[j] = 1;
      target.backward(seed);
      for (const [c, { x, k }] of checked.entries()) {
        assertColumn(name, k, numeric[c]!, outFlat, x.grad, atol, rtol);
      }
    }
  }
  for (const { x } of checked) x.grad = null;
  return true;
}

function assertColumn(
  name: string,
  k: number,
  numeric: Float64Array[],
  outFlat: number,
  grad: Tensor | null,
  atol: number,
  rtol: number,
): void {
  for (let i = 0; i < numeric.length; i++) {
    const n = numeric[i]![outFlat]!;
    const a = grad ? grad.data[i]! : 0;
    if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
      throw new AssertionMismatchError(
        `${name}: Jacobian mismatch for input ${k}, element ${i}, output element ${outFlat}: analytical ${a}, numerical ${n}`,
      );
    }
  }
}
