import { describe, expect, it } from 'vitest';
import { IndexError, ValueError } from '../errors.js';
import { randn, tensor } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { ReLU, Tanh } from './activation.js';
import { Linear } from './linear.js';
import { ModuleList, Sequential, type TensorModule } from './sequential.js';

describe('Sequential', () => {
  it('chains its layers in order', () => {
    const gen = new Generator(0);
    const first = new Linear({ inFeatures: 3, outFeatures: 4, generator: gen });
    const last = new Linear({ inFeatures: 4, outFeatures: 2, generator: gen });
    const net = new Sequential(first, new ReLU(), last);
    const x = randn([5, 3], { generator: gen });
    expectClose(net.call(x), last.call(first.call(x).relu()));
    expect(net.call(x).shape).toEqual([5, 2]);
  });

  it('is the identity when empty', () => {
    const x = tensor([1, 2]);
    expect(new Sequential().call(x)).toBe(x);
  });

  it('calls a layer added twice twice', () => {
    const act = new Tanh();
    const net = new Sequential(act, act);
    expect(net.call(tensor([1])).item()).toBeCloseTo(Math.tanh(Math.tanh(1)), 6);
    expect(net.length).toBe(2);
  });

  it('indexes, iterates and appends', () => {
    const relu = new ReLU();
    const tanh = new Tanh();
    const net = new Sequential(relu).append(tanh);
    expect(net.length).toBe(2);
    expect(net.at(0)).toBe(relu);
    expect(net.at(-1)).toBe(tanh);
    expect([...net]).toEqual([relu, tanh]);
    expect(net.namedChildren().map(([name]) => name)).toEqual(['0', '1']);
    expect(() => net.at(2)).toThrow(IndexError);
  });

  it('names children by the keys of a record', () => {
    const net = new Sequential({ act: new ReLU(), out: new Tanh() });
    expect(net.namedChildren().map(([name]) => name)).toEqual(['act', 'out']);
    expect(net.call(tensor([-1])).item()).toBe(0);
  });

  it('rejects entries that are not modules with a ValueError', () => {
    expect(() => new Sequential({ bad: 3 as never })).toThrow(ValueError);
  });
});

describe('ModuleList', () => {
  it('registers its modules as 0, 1, … for parameters and state dicts', () => {
    const layers = new ModuleList<TensorModule>([1, 2].map(() => new Linear({ inFeatures: 2, outFeatures: 2 })));
    layers.append(new ReLU());
    expect(layers.length).toBe(3);
    expect(Object.keys(layers.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect([...layers][2]).toBe(layers.at(-1));
    expect(layers.toString()).toContain('(2): ReLU()');
  });

  it('has no forward', () => {
    expect(() => new ModuleList().forward()).toThrow(ValueError);
  });
});
