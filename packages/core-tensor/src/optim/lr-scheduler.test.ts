import { describe, expect, it } from 'vitest';
import { StateDictError, ValueError } from '../errors.js';
import { zeros } from '../ops/creation.js';
import { SGD } from './sgd.js';
import { CosineAnnealingLR } from './cosine-annealing-lr.js';
import { ExponentialLR } from './exponential-lr.js';
import { LambdaLR } from './lambda-lr.js';
import { LinearLR } from './linear-lr.js';
import { LRScheduler, bisectRight } from './lr-scheduler.js';
import { MultiStepLR, StepLR } from './step-lr.js';
import * as optim from './index.js';

function sgd(lr = 0.1): SGD {
  return new SGD([zeros([2], { requiresGrad: true })], { lr });
}

function twoGroupSgd(): SGD {
  return new SGD([
    { params: [zeros([1], { requiresGrad: true })], lr: 0.1 },
    { params: [zeros([1], { requiresGrad: true })], lr: 0.02 },
  ]);
}

/** The lr of group 0 at epochs 0..n−1: construction is epoch 0, then one step per epoch. */
function lrs(opt: SGD, scheduler: LRScheduler, n: number): number[] {
  const out = [opt.paramGroups[0]!.lr];
  for (let epoch = 1; epoch < n; epoch++) {
    opt.step();
    scheduler.step();
    out.push(opt.paramGroups[0]!.lr);
  }
  return out;
}

function expectSequence(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('StepLR', () => {
  it('decays by gamma every stepSize epochs', () => {
    const opt = sgd(0.1);
    const scheduler = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expectSequence(
      lrs(opt, scheduler, 10),
      range(10).map((e) => 0.1 * 0.5 ** Math.floor(e / 3)),
    );
  });

  it('defaults gamma to 0.1 and rejects a non-positive step size', () => {
    const opt = sgd(1);
    const scheduler = new StepLR(opt, { stepSize: 1 });
    scheduler.step();
    expect(scheduler.getLastLr()[0]).toBeCloseTo(0.1, 15);
    expect(() => new StepLR(sgd(), { stepSize: 0 })).toThrow(ValueError);
    expect(() => new StepLR(sgd(), { stepSize: 1.5 })).toThrow(ValueError);
  });

  it('schedules every group from its own initial lr', () => {
    const opt = twoGroupSgd();
    const scheduler = new StepLR(opt, { stepSize: 2, gamma: 0.1 });
    for (let epoch = 1; epoch <= 4; epoch++) scheduler.step();
    const expected = [0.1 * 0.01, 0.02 * 0.01];
    scheduler.getLastLr().forEach((lr, i) => expect(lr).toBeCloseTo(expected[i]!, 15));
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(scheduler.getLastLr());
  });
});

describe('MultiStepLR', () => {
  it('decays by gamma at each milestone, in any order and counting repeats', () => {
    const opt = sgd(1);
    const scheduler = new MultiStepLR(opt, { milestones: [6, 2, 6], gamma: 0.5 });
    const decays = (e: number): number => [2, 6, 6].filter((m) => m <= e).length;
    expectSequence(
      lrs(opt, scheduler, 9),
      range(9).map((e) => 0.5 ** decays(e)),
    );
  });
});

describe('ExponentialLR', () => {
  it('decays by gamma every epoch', () => {
    const opt = sgd(0.2);
    const scheduler = new ExponentialLR(opt, { gamma: 0.9 });
    expectSequence(
      lrs(opt, scheduler, 12),
      range(12).map((e) => 0.2 * 0.9 ** e),
    );
  });
});

describe('CosineAnnealingLR', () => {
  it('follows the closed-form cosine from the initial lr down to etaMin and back up', () => {
    const opt = sgd(0.1);
    const scheduler = new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.001 });
    const closedForm = (e: number): number => 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * e) / 10))) / 2;
    const sequence = lrs(opt, scheduler, 25);
    expectSequence(sequence, range(25).map(closedForm));
    expect(sequence[10]).toBeCloseTo(0.001, 15);
    expect(sequence[20]).toBeCloseTo(0.1, 15);
  });

  it('defaults etaMin to 0 and rejects a non-positive tMax', () => {
    const opt = sgd(0.1);
    const scheduler = new CosineAnnealingLR(opt, { tMax: 4 });
    expectSequence(lrs(opt, scheduler, 5), [0.1, (0.1 * (1 + Math.SQRT1_2)) / 2, 0.05, (0.1 * (1 - Math.SQRT1_2)) / 2, 0]);
    expect(() => new CosineAnnealingLR(sgd(), { tMax: 0 })).toThrow(ValueError);
  });
});

describe('LinearLR / LinearWarmup', () => {
  it('ramps the factor from 1/3 to 1 over 5 epochs by default', () => {
    const opt = sgd(0.3);
    const scheduler = new LinearLR(opt);
    expectSequence(
      lrs(opt, scheduler, 8),
      range(8).map((e) => 0.3 * (1 / 3 + ((1 - 1 / 3) * Math.min(e, 5)) / 5)),
    );
  });

  it('ramps between custom factors and stays at the end factor', () => {
    const opt = sgd(1);
    const scheduler = new optim.LinearWarmup(opt, { startFactor: 1, endFactor: 0.2, totalIters: 4 });
    expectSequence(lrs(opt, scheduler, 7), [1, 0.8, 0.6, 0.4, 0.2, 0.2, 0.2]);
  });

  it('is exported under both names', () => {
    expect(optim.LinearWarmup).toBe(optim.LinearLR);
  });

  it("rejects factors outside PyTorch's ranges", () => {
    expect(() => new LinearLR(sgd(), { startFactor: 0 })).toThrow(ValueError);
    expect(() => new LinearLR(sgd(), { startFactor: 1.5 })).toThrow(ValueError);
    expect(() => new LinearLR(sgd(), { endFactor: -0.1 })).toThrow(ValueError);
  });
});

describe('LambdaLR', () => {
  it('multiplies the initial lr by the function of the epoch', () => {
    const opt = sgd(0.5);
    const scheduler = new LambdaLR(opt, { lrLambda: (e) => 1 / (e + 1) });
    expectSequence(
      lrs(opt, scheduler, 6),
      range(6).map((e) => 0.5 / (e + 1)),
    );
  });

  it('takes one function per group, and rejects a count that differs', () => {
    const opt = twoGroupSgd();
    const scheduler = new LambdaLR(opt, { lrLambda: [(e) => 2 ** e, (e) => e + 1] });
    scheduler.step();
    scheduler.step();
    expect(scheduler.getLastLr()[0]).toBeCloseTo(0.4, 15);
    expect(scheduler.getLastLr()[1]).toBeCloseTo(0.06, 15);
    expect(() => new LambdaLR(twoGroupSgd(), { lrLambda: [(e) => e] })).toThrow(ValueError);
  });
});

describe('LRScheduler', () => {
  it('sets the epoch-0 lr at construction and records initialLr', () => {
    const opt = sgd(0.3);
    const scheduler = new LinearLR(opt, { startFactor: 0.5 });
    expect(scheduler.lastEpoch).toBe(0);
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.15, 15);
    expect(opt.paramGroups[0]!.initialLr).toBe(0.3);
    expect(scheduler.getLastLr()).toEqual([opt.paramGroups[0]!.lr]);
  });

  it('resumes from lastEpoch when the groups hold initialLr, and refuses without it', () => {
    expect(() => new StepLR(sgd(), { stepSize: 2, lastEpoch: 3 })).toThrow(ValueError);
    const opt = sgd(1);
    opt.paramGroups[0]!.initialLr = 1;
    const scheduler = new StepLR(opt, { stepSize: 2, gamma: 0.5, lastEpoch: 3 });
    expect(scheduler.lastEpoch).toBe(4);
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.25, 15);
  });

  it('stateDict and loadStateDict continue a schedule exactly', () => {
    const optA = sgd(0.1);
    const a = new CosineAnnealingLR(optA, { tMax: 7, etaMin: 0.01 });
    for (let i = 0; i < 3; i++) a.step();
    const saved = a.stateDict();
    expect(saved).toMatchObject({ lastEpoch: 3, baseLrs: [0.1], tMax: 7, etaMin: 0.01 });

    const optB = sgd(0.1);
    const b = new CosineAnnealingLR(optB, { tMax: 1 });
    b.loadStateDict(saved);
    for (let i = 0; i < 5; i++) {
      a.step();
      b.step();
      expect(b.getLastLr()).toEqual(a.getLastLr());
    }
  });

  it('loadStateDict rejects a state without its keys', () => {
    const scheduler = new ExponentialLR(sgd(), { gamma: 0.5 });
    const { gamma: _gamma, ...incomplete } = scheduler.stateDict();
    expect(() => scheduler.loadStateDict(incomplete as never)).toThrow(StateDictError);
  });
});

describe('bisectRight', () => {
  it('counts the entries at or below the value', () => {
    expect([0, 1, 2, 3, 4, 5].map((v) => bisectRight([1, 3, 3], v))).toEqual([0, 1, 1, 3, 3, 3]);
  });
});
