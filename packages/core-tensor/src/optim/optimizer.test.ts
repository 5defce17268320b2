import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, StateDictError, ValueError } from '../errors.js';
import { tensor, zeros } from '../ops/creation.js';
import { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import type { Optimizer, OptimizerStateDict, ParamState } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

type AnyOptimizer = Optimizer<{ lr: number }, ParamState>;

const CONFIGS: [string, (params: Tensor[]) => AnyOptimizer][] = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.05 })],
  ['SGD with Nesterov momentum and weight decay', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['SGD with dampened momentum', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3 })],
  ['Adam', (ps) => new Adam(ps, { lr: 0.05 })],
  ['Adam with amsgrad and weight decay', (ps) => new Adam(ps, { lr: 0.05, amsgrad: true, weightDecay: 0.01 })],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.05 })],
  ['RMSprop', (ps) => new RMSprop(ps, { lr: 0.01 })],
  ['RMSprop centered with momentum', (ps) => new RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true, weightDecay: 0.01 })],
  ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
];

/** Two float32 parameters with fixed starting values. */
function makeParams(): Tensor[] {
  return [
    tensor(
      [
        [0.5, -1.5, 2],
        [1, 0.25, -0.75],
      ],
      { requiresGrad: true },
    ),
    tensor([0.3, -0.2], { requiresGrad: true }),
  ];
}

/** A deterministic gradient that changes with the step, as training would. */
function setGrads(params: Tensor[], t: number): void {
  params.forEach((p, k) => {
    p.grad = tensor(
      Array.from(p.data, (v, i) => (k + 1) * v + 0.3 * Math.sin(t + i)),
      { dtype: p.dtype, shape: p.shape },
    );
  });
}

function run(opt: AnyOptimizer, params: Tensor[], from: number, to: number): void {
  for (let t = from; t < to; t++) {
    setGrads(params, t);
    opt.step();
  }
}

function copyParams(params: Tensor[]): Tensor[] {
  return params.map((p) => tensor(p.data.slice(), { shape: p.shape, requiresGrad: true }));
}

describe('optimizer state dicts', () => {
  it.each(CONFIGS)('%s resumed from a state dict after 10 steps equals 20 uninterrupted steps, bit for bit', (_name, make) => {
    const straight = makeParams();
    run(make(straight), straight, 0, 20);

    const first = makeParams();
    const optFirst = make(first);
    run(optFirst, first, 0, 10);
    const saved = optFirst.stateDict();
    const resumed = copyParams(first);
    // Keep training the first optimizer: the saved dict is a snapshot and must not change.
    run(optFirst, first, 10, 20);

    const optResumed = make(resumed);
    optResumed.loadStateDict(saved);
    run(optResumed, resumed, 10, 20);

    straight.forEach((p, k) => {
      expect(Array.from(resumed[k]!.data)).toEqual(Array.from(p.data));
      expect(Array.from(first[k]!.data)).toEqual(Array.from(p.data));
    });
  });

  it("numbers parameters across groups and lists each group's hyper-parameters", () => {
    const [a, b] = makeParams();
    const c = zeros([4], { requiresGrad: true });
    const opt = new Adam([{ params: [a!, b!] }, { params: [c], lr: 0.5, betas: [0.8, 0.9] }], { lr: 0.01 });
    setGrads([a!, c], 0);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0, 1] },
      { lr: 0.5, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [2] },
    ]);
    expect(Object.keys(sd.state).sort()).toEqual(['0', '2']);
    expect(sd.state[0]!.exp_avg).toBeInstanceOf(Tensor);
    expect((sd.state[0]!.exp_avg as Tensor).shape).toEqual([2, 3]);
  });

  it('restores the saved hyper-parameters into the groups', () => {
    const params = makeParams();
    const source = new SGD(params, { lr: 0.3, momentum: 0.7 });
    const target = new SGD(makeParams(), { lr: 0.1, momentum: 0.7 });
    target.loadStateDict(source.stateDict());
    expect(target.paramGroups[0]!.lr).toBe(0.3);
  });

  it('casts float64 state into a float32 parameter and accepts step as a one-element tensor', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new Adam([p]);
    const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });
    opt.loadStateDict({
      state: { 0: { step: tensor([3]), exp_avg: f64([0.1, 0.2]), exp_avg_sq: f64([0.01, 0.04]) } },
      paramGroups: [{ ...opt.stateDict().paramGroups[0]!, params: [0] }],
    });
    const state = opt.stateDict().state[0]!;
    expect(state.step).toBe(3);
    expect((state.exp_avg as Tensor).dtype).toBe('float32');
    expectClose(state.exp_avg as Tensor, [0.1, 0.2]);
  });

  it('rejects a different number of groups or group sizes with ValueError', () => {
    const [a, b] = makeParams();
    const two = new SGD([{ params: [a!] }, { params: [b!] }]);
    const one = new SGD(makeParams());
    expect(() => one.loadStateDict(two.stateDict())).toThrow(ValueError);
    const smaller = new SGD([makeParams()[0]!]);
    expect(() => smaller.loadStateDict(one.stateDict())).toThrow(ValueError);
  });

  it('rejects misshaped, missing and unexpected state entries with StateDictError, changing nothing', () => {
    const params = makeParams();
    const opt = new Adam(params, { lr: 0.1 });
    setGrads(params, 0);
    opt.step();
    const good = opt.stateDict();
    const withState = (state: OptimizerStateDict['state']): OptimizerStateDict => ({ ...good, state });
    const entry = good.state[0]!;

    const misshaped = withState({ ...good.state, 0: { ...entry, exp_avg: zeros([3, 2]) } });
    const error = (() => {
      try {
        opt.loadStateDict(misshaped);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StateDictError);
    expect((error as StateDictError).shapeMismatches).toEqual([{ key: 'state.0.exp_avg', expected: [2, 3], received: [3, 2] }]);

    const { exp_avg_sq: _dropped, ...incomplete } = entry;
    expect(() => opt.loadStateDict(withState({ ...good.state, 0: incomplete }))).toThrow(StateDictError);
    expect(() => opt.loadStateDict(withState({ ...good.state, 7: entry }))).toThrow(StateDictError);
    expect(() => opt.loadStateDict(withState({ ...good.state, 0: { ...entry, momentum_buffer: zeros([2, 3]) } }))).toThrow(StateDictError);

    expect(opt.stateDict()).toEqual(good);
  });

  it('rejects a group hyper-parameter the optimizer does not have (a PyTorch snake_case name)', () => {
    const opt = new SGD(makeParams(), { lr: 0.1 });
    const sd = opt.stateDict();
    const foreign = { ...sd, paramGroups: [{ ...sd.paramGroups[0]!, weight_decay: 0.1 }] };
    expect(() => opt.loadStateDict(foreign)).toThrow(StateDictError);
    expect(opt.paramGroups[0]!.weightDecay).toBe(0);
  });

  it('keeps initialLr set by a scheduler in the state dict', () => {
    const opt = new SGD(makeParams(), { lr: 0.1 });
    opt.paramGroups[0]!.initialLr = 0.1;
    opt.paramGroups[0]!.lr = 0.05;
    const target = new SGD(makeParams(), { lr: 0.1 });
    target.loadStateDict(opt.stateDict());
    expect(target.paramGroups[0]).toMatchObject({ lr: 0.05, initialLr: 0.1 });
  });

  it('loads an SGD state whose momentum buffer is null by re-creating it from the next gradient', () => {
    const p = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.loadStateDict({ state: { 0: { momentum_buffer: null } }, paramGroups: opt.stateDict().paramGroups });
    p.grad = tensor([1, 1], { dtype: 'float64' });
    opt.step();
    expectClose(p, [0.9, 1.9], { rtol: 0, atol: 1e-15 });
  });
});

describe('parameter groups', () => {
  it("applies each group's own lr, falling back to the defaults", () => {
    const a = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad = tensor([1, 2], { dtype: 'float64' });
    b.grad = tensor([1, 2], { dtype: 'float64' });
    opt.step();
    expectClose(a, [0.9, 0.8], { rtol: 0, atol: 1e-15 });
    expectClose(b, [0.5, 0], { rtol: 0, atol: 1e-15 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
  });

  it('reads a changed lr on the next step', () => {
    const p = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1 });
    opt.paramGroups[0]!.lr = 0.25;
    p.grad = tensor([2], { dtype: 'float64' });
    opt.step();
    expectClose(p, [0.5], { rtol: 0, atol: 1e-15 });
  });

  it('addParamGroup adds parameters with the defaults', () => {
    const [a, b] = makeParams();
    const opt = new Adam([a!], { lr: 0.02 });
    opt.addParamGroup({ params: [b!], weightDecay: 0.1 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.02, weightDecay: 0.1, params: [b] });
  });

  it('skips parameters without a gradient and gives them no state', () => {
    const [a, b] = makeParams();
    const before = Array.from(b!.data);
    const opt = new Adam([a!, b!]);
    a!.grad = tensor([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    opt.step();
    expect(Array.from(b!.data)).toEqual(before);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
  });

  it('rejects an empty list, repeated tensors, integer tensors and non-leaf tensors', () => {
    const p = zeros([2], { requiresGrad: true });
    expect(() => new SGD([])).toThrow(ValueError);
    expect(() => new SGD([p, p])).toThrow(ValueError);
    expect(() => new SGD([{ params: [p] }, { params: [p] }])).toThrow(ValueError);
    expect(() => new SGD([zeros([2], { dtype: 'int32' })])).toThrow(DTypeError);
    const nonLeaf = zeros([2]);
    nonLeaf.gradFn = { op: 'mul', inputs: [], backward: () => [] };
    expect(() => new SGD([nonLeaf])).toThrow(ValueError);
  });

  it('rejects a group override that is invalid', () => {
    expect(() => new Adam([{ params: [zeros([1])], lr: -1 }])).toThrow(ValueError);
  });

  it('throws ShapeError when a gradient does not fit its parameter', () => {
    const p = zeros([3], { requiresGrad: true });
    const opt = new SGD([p]);
    p.grad = zeros([2]);
    expect(() => opt.step()).toThrow(ShapeError);
  });
});

describe('zeroGrad and step', () => {
  it('zeroGrad sets gradients to null by default', () => {
    const params = makeParams();
    setGrads(params, 0);
    new SGD(params).zeroGrad();
    expect(params.map((p) => p.grad)).toEqual([null, null]);
  });

  it('zeroGrad with setToNone false fills the gradients with zeros', () => {
    const params = makeParams();
    setGrads(params, 0);
    const grads = params.map((p) => p.grad!);
    new SGD(params).zeroGrad({ setToNone: false });
    params.forEach((p, k) => {
      expect(p.grad).toBe(grads[k]);
      expect(Array.from(p.grad!.data).every((v) => v === 0)).toBe(true);
    });
  });

  it('step runs the closure first and returns its loss', () => {
    const p = tensor([2], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1 });
    const loss = opt.step(() => {
      p.grad = tensor([p.data[0]!], { dtype: 'float64' });
      return 0.5 * p.data[0]! ** 2;
    });
    expect(loss).toBe(2);
    expectClose(p, [1.8], { rtol: 0, atol: 1e-15 });
  });
});

describe('convergence', () => {
  // Least squares: minimise ½‖Xw − y‖² / n, with y = X·[2, −3] exactly, so w* = [2, −3].
  const X = [
    [1, 0.5],
    [0.2, 1],
    [-1, 0.3],
    [0.4, -0.8],
  ];
  const TRUE_W = [2, -3];
  const Y = X.map((row) => row[0]! * TRUE_W[0]! + row[1]! * TRUE_W[1]!);

  function setLeastSquaresGrad(w: Tensor): void {
    const g = [0, 0];
    X.forEach((row, r) => {
      const residual = row[0]! * w.data[0]! + row[1]! * w.data[1]! - Y[r]!;
      g[0]! += (residual * row[0]!) / X.length;
      g[1]! += (residual * row[1]!) / X.length;
    });
    w.grad = tensor(g, { dtype: 'float64' });
  }

  it.each([
    ['SGD', (ps: Tensor[]) => new SGD(ps, { lr: 0.5 }), 2000],
    ['SGD with Nesterov momentum', (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }), 1000],
    ['Adam', (ps: Tensor[]) => new Adam(ps, { lr: 0.05 }), 2000],
    ['AdamW without decay', (ps: Tensor[]) => new AdamW(ps, { lr: 0.05, weightDecay: 0 }), 2000],
    ['RMSprop', (ps: Tensor[]) => new RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5 }), 3000],
    ['Adagrad', (ps: Tensor[]) => new Adagrad(ps, { lr: 0.5 }), 3000],
  ] as [string, (ps: Tensor[]) => AnyOptimizer, number][])('%s solves a least-squares problem', (_name, make, steps) => {
    const w = zeros([2], { dtype: 'float64', requiresGrad: true });
    const opt = make([w]);
    for (let t = 0; t < steps; t++) {
      opt.zeroGrad();
      setLeastSquaresGrad(w);
      opt.step();
    }
    expectClose(w, TRUE_W, { rtol: 0, atol: 1e-3 });
  });
});
