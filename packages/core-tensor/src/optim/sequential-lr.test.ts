import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { zeros } from '../ops/creation.js';
import { CosineAnnealingLR } from './cosine-annealing-lr.js';
import { ExponentialLR } from './exponential-lr.js';
import { LinearLR } from './linear-lr.js';
import { StepLR } from './step-lr.js';
import { SequentialLR } from './sequential-lr.js';
import { SGD } from './sgd.js';

function sgd(lr = 0.1): SGD {
  return new SGD([zeros([2], { requiresGrad: true })], { lr });
}

describe('SequentialLR', () => {
  it('runs a linear warm-up, then a cosine restarted at its epoch 0', () => {
    const opt = sgd(1);
    const warmup = new LinearLR(opt, { startFactor: 0.25, totalIters: 4 });
    const cosine = new CosineAnnealingLR(opt, { tMax: 6 });
    const scheduler = new SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [4] });
    const seen = [opt.paramGroups[0]!.lr];
    for (let epoch = 1; epoch < 12; epoch++) {
      scheduler.step();
      seen.push(opt.paramGroups[0]!.lr);
    }
    const expected = Array.from({ length: 12 }, (_, e) => (e < 4 ? 0.25 + (0.75 * e) / 4 : (1 + Math.cos((Math.PI * (e - 4)) / 6)) / 2));
    seen.forEach((lr, e) => expect(lr).toBeCloseTo(expected[e]!, 14));
    expect(scheduler.getLastLr()).toEqual([seen[11]]);
  });

  it('resets the lr the later schedulers changed at construction', () => {
    const opt = sgd(1);
    const first = new ExponentialLR(opt, { gamma: 0.5 });
    const second = new LinearLR(opt, { startFactor: 0.1 });
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.1, 15);
    const scheduler = new SequentialLR(opt, { schedulers: [first, second], milestones: [2] });
    expect(opt.paramGroups[0]!.lr).toBe(1);
    expect(scheduler.lastEpoch).toBe(0);
    expect(first.lastEpoch).toBe(0);
    expect(second.lastEpoch).toBe(-1);
  });

  it('switches through three schedulers', () => {
    const opt = sgd(1);
    const schedulers = [
      new StepLR(opt, { stepSize: 1, gamma: 0.5 }),
      new ExponentialLR(opt, { gamma: 0.1 }),
      new StepLR(opt, { stepSize: 10 }),
    ];
    const scheduler = new SequentialLR(opt, { schedulers, milestones: [2, 4] });
    const seen = [opt.paramGroups[0]!.lr];
    for (let epoch = 1; epoch < 6; epoch++) {
      scheduler.step();
      seen.push(opt.paramGroups[0]!.lr);
    }
    [1, 0.5, 1, 0.1, 1, 1].forEach((v, e) => expect(seen[e]).toBeCloseTo(v, 14));
  });

  it('saves and restores the inner schedulers', () => {
    const build = (): SequentialLR => {
      const opt = sgd(1);
      return new SequentialLR(opt, {
        schedulers: [new LinearLR(opt, { totalIters: 3 }), new ExponentialLR(opt, { gamma: 0.9 })],
        milestones: [3],
      });
    };
    const a = build();
    for (let i = 0; i < 4; i++) a.step();
    const b = build();
    b.loadStateDict(a.stateDict());
    for (let i = 0; i < 4; i++) {
      a.step();
      b.step();
      expect(b.getLastLr()).toEqual(a.getLastLr());
    }
  });

  it('rejects a milestone count that does not fit and schedulers of another optimizer', () => {
    const opt = sgd();
    const mine = new StepLR(opt, { stepSize: 2 });
    expect(() => new SequentialLR(opt, { schedulers: [mine, new StepLR(opt, { stepSize: 3 })], milestones: [] })).toThrow(ValueError);
    expect(() => new SequentialLR(opt, { schedulers: [mine, new StepLR(sgd(), { stepSize: 3 })], milestones: [2] })).toThrow(ValueError);
    expect(() => new SequentialLR(opt, { schedulers: [], milestones: [] })).toThrow(ValueError);
  });
});
