import { describe, expect, it } from 'vitest';
import { DTypeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh, type GeluOptions } from './activation.js';
import { onesLike, randn, tensor, zeros } from './creation.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });

// Values and gradients (of the sum) from PyTorch 1.13, float64, at these points.
const X = [-3, -1, -0.5, 0, 0.5, 1, 3];
const TORCH: Record<string, { fn: (x: Tensor) => Tensor; y: number[]; grad: number[] }> = {
  tanh: {
    fn: tanh,
    y: [-0.9950547536867305, -0.7615941559557649, -0.46211715726000974, 0, 0.46211715726000974, 0.7615941559557649, 0.9950547536867305],
    grad: [0.009866037165440166, 0.41997434161402614, 0.7864477329659274, 1, 0.7864477329659274, 0.41997434161402614, 0.009866037165440166],
  },
  sigmoid: {
    fn: sigmoid,
    y: [0.04742587317756678, 0.2689414213699951, 0.3775406687981454, 0.5, 0.6224593312018546, 0.7310585786300049, 0.9525741268224334],
    grad: [0.04517665973091214, 0.19661193324148185, 0.2350037122015945, 0.25, 0.2350037122015945, 0.19661193324148185, 0.045176659730912],
  },
  relu: {
    fn: relu,
    y: [0, 0, 0, 0, 0.5, 1, 3],
    grad: [0, 0, 0, 0, 1, 1, 1],
  },
  'leakyRelu (default slope 0.01)': {
    fn: (x) => leakyRelu(x),
    y: [-0.03, -0.01, -0.005, 0, 0.5, 1, 3],
    grad: [0.01, 0.01, 0.01, 0.01, 1, 1, 1],
  },
  'leakyRelu (slope 0.2)': {
    fn: (x) => leakyRelu(x, 0.2),
    y: [-0.6000000000000001, -0.2, -0.1, 0, 0.5, 1, 3],
    grad: [0.2, 0.2, 0.2, 0.2, 1, 1, 1],
  },
  'elu (default alpha 1)': {
    fn: (x) => elu(x),
    y: [-0.950212931632136, -0.6321205588285577, -0.3934693402873666, 0, 0.5, 1, 3],
    grad: [0.049787068367863944, 0.36787944117144233, 0.6065306597126334, 1, 1, 1, 1],
  },
  'elu (alpha 2)': {
    fn: (x) => elu(x, 2),
    y: [-1.900425863264272, -1.2642411176571153, -0.7869386805747332, 0, 0.5, 1, 3],
    grad: [0.09957413673572789, 0.7357588823428847, 1.2130613194252668, 2, 1, 1, 1],
  },
  'gelu (exact)': {
    fn: (x) => gelu(x),
    y: [-0.00404969409489031, -0.15865525393145702, -0.15426876936299344, 0, 0.34573123063700656, 0.841344746068543, 2.99595030590511],
    grad: [-0.01194564720418392, -0.08331547058768635, 0.13250487534383712, 0.5, 0.8674951246561629, 1.0833154705876864, 1.011945647204184],
  },
  'gelu (tanh)': {
    fn: (x) => gelu(x, { approximate: 'tanh' }),
    y: [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0, 0.34571400982514394, 0.8411919906082768, 2.996362607918227],
    grad: [
      -0.011584166630969648, -0.08296408384578252, 0.13263009646535764, 0.5, 0.8673699035346424, 1.0829640838457826, 1.0115841666309695,
    ],
  },
  'softplus (defaults)': {
    fn: (x) => softplus(x),
    y: [
      0.04858735157374206, 0.31326168751822286, 0.4740769841801067, 0.6931471805599453, 0.9740769841801067, 1.3132616875182228,
      3.048587351573742,
    ],
    grad: [0.04742587317756679, 0.2689414213699951, 0.37754066879814546, 0.5, 0.6224593312018546, 0.7310585786300049, 0.9525741268224333],
  },
  'softplus (beta 2, threshold 1)': {
    fn: (x) => softplus(x, { beta: 2, threshold: 1 }),
    y: [0.0012378425688652247, 0.06346400552148625, 0.15663084375911143, 0.34657359027997264, 0.6566308437591114, 1, 3],
    grad: [0.0024726231566347748, 0.11920292202211755, 0.2689414213699951, 0.5, 0.7310585786300049, 1, 1],
  },
  silu: {
    fn: silu,
    y: [-0.14227761953270035, -0.2689414213699951, -0.1887703343990727, 0, 0.3112296656009273, 0.7310585786300049, 2.8577223804672998],
    grad: [-0.08810410601516962, 0.07232948812851325, 0.2600388126973482, 0.5, 0.7399611873026519, 0.9276705118714869, 1.0881041060151693],
  },
};

describe('activations match PyTorch', () => {
  for (const [name, { fn, y, grad }] of Object.entries(TORCH)) {
    it(`${name} matches PyTorch values and gradients, including at 0`, () => {
      const x = f64(X, true);
      const out = fn(x);
      expectClose(out, y, { rtol: 1e-12, atol: 1e-15 });
      out.backward(onesLike(out));
      expectClose(x.grad!, grad, { rtol: 1e-12, atol: 1e-15 });
    });
  }
});

describe('activation values at the edges', () => {
  it('saturate without overflow at large |x|', () => {
    expect(sigmoid(f64([-1000, 1000])).toArray()).toEqual([0, 1]);
    expect(tanh(f64([-1000, 1000])).toArray()).toEqual([-1, 1]);
    expect(elu(f64([-1000])).item()).toBe(-1);
    expect(gelu(f64([-40, 40])).toArray()).toEqual([-0, 40]);
    expect(gelu(f64([-40, 40]), { approximate: 'tanh' }).toArray()).toEqual([-0, 40]);
    expect(silu(f64([-1000])).item()).toBe(-0);
  });

  it('softplus keeps full precision for very negative x and is linear above the threshold, as PyTorch', () => {
    expectClose(softplus(f64([-40, -800, 30, 21])), [4.248354255291589e-18, 0, 30, 21], { rtol: 1e-14 });
    expectClose(softplus(tensor([-40])), [4.24835413113866e-18], { rtol: 1e-6 });
    expect(softplus(f64([20])).item()).toBeCloseTo(Math.log1p(Math.exp(20)), 14);
  });

  it('passes NaN through (and relu keeps NaN, as PyTorch)', () => {
    const fns: ((x: Tensor) => Tensor)[] = [
      tanh,
      sigmoid,
      relu,
      leakyRelu,
      elu,
      gelu,
      (x) => gelu(x, { approximate: 'tanh' }),
      softplus,
      silu,
    ];
    for (const fn of fns) expect(fn(f64([NaN])).item()).toBeNaN();
  });

  it('keeps shapes, including 0-d, size-1 and empty tensors', () => {
    for (const { fn } of Object.values(TORCH)) {
      expect(fn(f64(0.5)).shape).toEqual([]);
      expect(fn(f64([[0.5]])).shape).toEqual([1, 1]);
      expect(fn(zeros([3, 0], { dtype: 'float64' })).shape).toEqual([3, 0]);
    }
  });

  it('computes in float32 for float32 input', () => {
    const out = sigmoid(tensor([0.3]));
    expect(out.dtype).toBe('float32');
    expect(out.item()).toBe(Math.fround(1 / (1 + Math.exp(-Math.fround(0.3)))));
  });
});

describe('activation dtypes and errors', () => {
  it('turn int32 into float32 for tanh and sigmoid, as PyTorch', () => {
    expect(tanh(i32([0, 1])).dtype).toBe('float32');
    expect(sigmoid(i32([0])).toArray()).toEqual([0.5]);
  });

  it('keep int32 for relu', () => {
    const out = relu(i32([-2, 0, 3]));
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([0, 0, 3]);
  });

  it('reject int32 for leakyRelu, elu, gelu, softplus and silu with DTypeError', () => {
    const x = i32([1]);
    expect(() => leakyRelu(x)).toThrow(DTypeError);
    expect(() => elu(x)).toThrow(DTypeError);
    expect(() => gelu(x)).toThrow(DTypeError);
    expect(() => softplus(x)).toThrow(DTypeError);
    expect(() => silu(x)).toThrow(DTypeError);
  });

  it('reject an unknown gelu approximation with ValueError', () => {
    expect(() => gelu(f64([1]), { approximate: 'erf' } as unknown as GeluOptions)).toThrow(ValueError);
  });
});

describe('activation gradients', () => {
  const gen = new Generator(31);
  const input = (): Tensor => {
    // Keep values away from the kinks at 0 and softplus's threshold, where central differences straddle.
    const t = randn([3, 4], { dtype: 'float64', generator: gen });
    for (let i = 0; i < t.size; i++) if (Math.abs(t.data[i]!) < 1e-3) t.data[i] = 0.5;
    return t.requiresGrad_();
  };

  for (const [name, { fn }] of Object.entries(TORCH)) {
    it(`${name} passes gradcheck`, () => {
      expect(gradcheck(fn, [input()], { name })).toBe(true);
    });
  }

  it('softplus passes gradcheck on both sides of a small threshold and with beta', () => {
    const x = f64([-2, -0.3, 0.4, 1.2, 3], true);
    expect(gradcheck((t) => softplus(t, { beta: 3, threshold: 2 }), [x])).toBe(true);
    expect(gradcheck((t) => softplus(t, { beta: 0.5 }), [x])).toBe(true);
  });

  it('relu passes the gradient through NaN and blocks it at 0, as PyTorch', () => {
    const x = f64([NaN, -1, 0, 2], true);
    relu(x).backward(f64([1, 1, 1, 1]));
    expect(x.grad!.toArray()).toEqual([1, 0, 0, 1]);
  });

  it('leakyRelu and elu pass gradcheck with non-default slope and alpha', () => {
    expect(gradcheck((t) => leakyRelu(t, 0.2), [input()], { name: 'leakyRelu(0.2)' })).toBe(true);
    expect(gradcheck((t) => elu(t, 1.5), [input()], { name: 'elu(1.5)' })).toBe(true);
  });

  it('the fused float32 gradients of relu, leakyRelu and elu equal the compare-and-select formulas, NaN and 0 included', () => {
    // 3000 elements: the wasm backend runs its kernel from 2048 on (TENSORLOOM_BACKEND=wasm).
    const x = randn([3000], { generator: new Generator(5) });
    x.data[0] = 0;
    x.data[1] = NaN;
    x.data[2] = -0;
    const g = randn([3000], { generator: new Generator(6) });
    const cases: [string, (t: Tensor) => Tensor, (x: number, y: number, g: number) => number][] = [
      ['relu', relu, (_x, y, g) => (y <= 0 ? 0 : g)],
      ['leakyRelu', (t) => leakyRelu(t, 0.2), (x, _y, g) => (x > 0 ? g : Math.fround(0.2) * g)],
      ['elu', (t) => elu(t, 1.5), (x, y, g) => (x <= 0 ? Math.fround(g * Math.fround(y + 1.5)) : g)],
    ];
    for (const [name, fn, formula] of cases) {
      const input = x.clone().requiresGrad_();
      const y = fn(input);
      y.backward(g);
      const expected = Float32Array.from(x.data, (v, i) => formula(v, y.data[i]!, g.data[i]!));
      expectClose(input.grad!.data, expected, { rtol: 1e-6, atol: 1e-7, message: name });
    }
  });

  it('records nothing when the input needs no gradient', () => {
    for (const { fn } of Object.values(TORCH)) expect(fn(f64([1])).requiresGrad).toBe(false);
  });
});
