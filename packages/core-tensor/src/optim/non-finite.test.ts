import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TensorloomError, ValueError } from '../errors.js';
import { mean } from '../ops/reduce.js';
import { tensor } from '../ops/creation.js';
import { Linear } from '../nn/linear.js';
import { Generator } from '../random/generator.js';
import { Adam } from './adam.js';
import { NonFiniteGuard, type NonFinitePolicy } from './non-finite-guard.js';
import { NonFiniteError, assertFiniteParameters, findNonFinite, firstNonFinite } from './non-finite.js';
import { SGD } from './sgd.js';
import { StepLR } from './step-lr.js';

/** A 3 → 2 linear layer in float32 (the trainers' dtype), seeded. */
function linear(): Linear {
  return new Linear({ inFeatures: 3, outFeatures: 2, generator: new Generator(0) });
}

/** Forward and backward of mean(layer(x)) on a fixed batch; returns the loss value. */
function backward(layer: Linear, scale = 1): number {
  const x = tensor(
    [
      [scale, -2 * scale, 0.5 * scale],
      [0.25 * scale, scale, -scale],
    ],
    { dtype: 'float32' },
  );
  const loss = mean(layer.call(x));
  loss.backward();
  return loss.item();
}

const copies = (layer: Linear): Float32Array[] => layer.parameters().map((p) => Float32Array.from(p.data));

function guardFor(layer: Linear, optimizer: SGD | Adam, policy: NonFinitePolicy, extra: { maxHalvings?: number; scheduler?: StepLR } = {}) {
  return new NonFiniteGuard({ namedParameters: layer.namedParameters(), optimizer, policy, op: 'test', ...extra });
}

describe('findNonFinite', () => {
  it('names the first parameter holding NaN or an infinity, with the element and its value', () => {
    const a = tensor([1, 2, 3], { dtype: 'float32' });
    const b = tensor([0, -Infinity, NaN], { dtype: 'float64' });
    const c = tensor([NaN], { dtype: 'float32' });
    expect(findNonFinite([['a', a]])).toBeUndefined();
    expect(
      findNonFinite([
        ['a', a],
        ['b', b],
        ['c', c],
      ]),
    ).toEqual({ parameter: 'b', index: 1, value: -Infinity });
    expect(findNonFinite([['c', c]])).toEqual({ parameter: 'c', index: 0, value: NaN });
  });

  it('skips integer tensors and parameters without a gradient, and reads gradients when asked', () => {
    const ids = tensor([1, 2], { dtype: 'int32' });
    const p = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(
      findNonFinite(
        [
          ['ids', ids],
          ['p', p],
        ],
        { gradients: true },
      ),
    ).toBeUndefined();
    p.grad = tensor([0, Infinity], { dtype: 'float32' });
    expect(findNonFinite([['p', p]])).toBeUndefined();
    expect(findNonFinite([['p', p]], { gradients: true })).toEqual({ parameter: 'p', index: 1, value: Infinity });
  });

  it('finds the first non-finite element of any array (generated cases)', () => {
    const special = fc.constantFrom(NaN, Infinity, -Infinity);
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 64 }),
        fc.array(fc.tuple(fc.nat(), special), { maxLength: 3 }),
        (values, poisons) => {
          const data = Float64Array.from(values);
          for (const [at, value] of poisons) if (data.length > 0) data[at % data.length] = value;
          const expected = data.findIndex((v) => !Number.isFinite(v));
          expect(firstNonFinite(data)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('assertFiniteParameters throws a NonFiniteError naming the parameter', () => {
    const layer = linear();
    expect(() => assertFiniteParameters('evaluate', layer.namedParameters())).not.toThrow();
    layer.bias!.data[1] = NaN;
    const error = catchError(() => assertFiniteParameters('evaluate', layer.namedParameters()));
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(error).toBeInstanceOf(TensorloomError);
    expect(error).toMatchObject({ what: 'parameter', parameter: 'bias', index: 1, step: undefined });
    expect(Number.isNaN(error.value)).toBe(true);
    expect(error.withMessage('more').parameter).toBe('bias');
  });
});

describe('NonFiniteGuard', () => {
  it("'stop' throws at the step a huge learning rate drives the loss to infinity, naming what and where", () => {
    const layer = linear();
    const optimizer = new SGD(layer.parameters(), { lr: 1e38 });
    const guard = guardFor(layer, optimizer, 'stop');
    let error: NonFiniteError | undefined;
    for (let step = 1; step <= 5 && error === undefined; step++) {
      optimizer.zeroGrad();
      const loss = backward(layer);
      try {
        guard.update(step, loss, () => optimizer.step());
      } catch (caught) {
        error = caught as NonFiniteError;
      }
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(error!.step).toBeGreaterThanOrEqual(1);
    expect(error!.step).toBeLessThanOrEqual(5);
    expect(['loss', 'gradient', 'parameter']).toContain(error!.what);
    if (error!.what !== 'loss') expect(['weight', 'bias']).toContain(error!.parameter);
  });

  it("'stop' on a NaN loss throws before the update and leaves the parameters as they were", () => {
    const layer = linear();
    const optimizer = new SGD(layer.parameters(), { lr: 0.1 });
    const before = copies(layer);
    backward(layer);
    let applied = false;
    const error = catchError(() => guardFor(layer, optimizer, 'stop').update(7, NaN, () => (applied = true)));
    expect(error).toMatchObject({ step: 7, what: 'loss', parameter: undefined });
    expect(applied).toBe(false);
    expect(copies(layer)).toEqual(before);
  });

  it("'skip' leaves every parameter bit for bit unchanged on a step with a NaN gradient, zeroes the gradients, and counts it", () => {
    const layer = linear();
    const optimizer = new Adam(layer.parameters(), { lr: 0.1 });
    const guard = guardFor(layer, optimizer, 'skip');
    const before = copies(layer);
    const loss = backward(layer);
    layer.weight.grad!.data[4] = NaN;
    const event = guard.update(1, loss, () => optimizer.step());
    expect(event).toMatchObject({ step: 1, what: 'gradient', parameter: 'weight', index: 4, action: 'skipped', lr: 0.1 });
    expect(event!.message).toContain("'weight'");
    expect(copies(layer)).toEqual(before);
    expect(layer.parameters().every((p) => p.grad === null)).toBe(true);
    expect(optimizer.stateDict().state).toEqual({}); // Adam never stepped
    expect(guard.skippedSteps).toBe(1);
    // The next good step goes through.
    const good = backward(layer);
    expect(guard.update(2, good, () => optimizer.step())).toBeUndefined();
    expect(copies(layer)).not.toEqual(before);
  });

  it("'skip' undoes an update that overflows a parameter to infinity", () => {
    const layer = linear();
    const optimizer = new SGD(layer.parameters(), { lr: 1e38 });
    const guard = guardFor(layer, optimizer, 'skip');
    const before = copies(layer);
    const loss = backward(layer, 1e6); // gradients ~1e6: lr·g overflows float32
    const event = guard.update(3, loss, () => optimizer.step());
    expect(event).toMatchObject({ step: 3, what: 'parameter', action: 'skipped' });
    expect(Math.abs(event!.value)).toBe(Infinity);
    expect(copies(layer)).toEqual(before);
  });

  it("'halve-lr' halves the learning rate (and a schedule's base) per bad step, resets on a good one, and stops after maxHalvings", () => {
    const layer = linear();
    const optimizer = new SGD(layer.parameters(), { lr: 0.8 });
    const scheduler = new StepLR(optimizer, { stepSize: 1000, gamma: 0.5 });
    const guard = guardFor(layer, optimizer, 'halve-lr', { maxHalvings: 2, scheduler });
    const bad = (step: number) => guard.update(step, Infinity, () => optimizer.step());
    expect(bad(1)).toMatchObject({ action: 'halved-lr', lr: 0.4, what: 'loss' });
    scheduler.step(); // the closed-form schedule keeps the halving
    expect(optimizer.paramGroups[0]!.lr).toBe(0.4);
    expect(bad(2)!.lr).toBe(0.2);
    expect(() => bad(3)).toThrow(NonFiniteError);
    expect(optimizer.paramGroups[0]!.lr).toBe(0.2);
    expect(scheduler.baseLrs).toEqual([0.2]);
    expect(guard.update(4, backward(layer), () => optimizer.step())).toBeUndefined();
    expect(bad(5)!.lr).toBe(0.1);
    expect(guard).toMatchObject({ skippedSteps: 3, lrHalvings: 3 });
  });

  it('refuses an unknown policy', () => {
    const layer = linear();
    expect(() => guardFor(layer, new SGD(layer.parameters(), { lr: 1 }), 'retry' as NonFinitePolicy)).toThrow(ValueError);
  });
});

function catchError(fn: () => unknown): NonFiniteError {
  try {
    fn();
  } catch (error) {
    return error as NonFiniteError;
  }
  throw new Error('expected an error');
}
