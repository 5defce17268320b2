import { describe, expect, it } from 'vitest';
import { StateDictError, ValueError } from '../errors.js';
import { arange, ones, zeros } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import type { Tensor } from '../tensor.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { ReLU } from './activation.js';
import { Sequential } from './sequential.js';

/** Parameters, then buffers, then a child: PyTorch's state-dict order within a module. */
class Tracked extends Module {
  constructor() {
    super();
    this.registerBuffer('count', zeros([1], { dtype: 'int32' }));
    this.registerParameter('gain', ones([2]));
    this.registerBuffer('scratch', zeros([2]), { persistent: false });
    this.registerModule('proj', new Linear({ inFeatures: 2, outFeatures: 2, generator: new Generator(0) }));
    this.registerParameter('offset', zeros([2]));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

function makeNet(seed: number): Sequential {
  const gen = new Generator(seed);
  return new Sequential(
    new Linear({ inFeatures: 3, outFeatures: 4, generator: gen }),
    new ReLU(),
    new Sequential(new LayerNorm({ normalizedShape: 4 }), new Linear({ inFeatures: 4, outFeatures: 2, generator: gen })),
  );
}

const values = (state: Record<string, Tensor>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.toArray()]));

function expectStateDictError(fn: () => unknown): StateDictError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StateDictError);
    return error as StateDictError;
  }
  throw new Error('expected a StateDictError');
}

describe('stateDict', () => {
  it('names and orders the entries of a nested Sequential as PyTorch', () => {
    expect(Object.keys(makeNet(0).stateDict())).toEqual(['0.weight', '0.bias', '2.0.weight', '2.0.bias', '2.1.weight', '2.1.bias']);
  });

  it('lists own parameters, then own persistent buffers, then children', () => {
    expect(Object.keys(new Tracked().stateDict())).toEqual(['gain', 'offset', 'count', 'proj.weight', 'proj.bias']);
    expect(Object.keys(new Tracked().stateDict({ prefix: 'm' }))).toEqual([
      'm.gain',
      'm.offset',
      'm.count',
      'm.proj.weight',
      'm.proj.bias',
    ]);
  });

  it('holds detached tensors that share the live storage', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
    const state = lin.stateDict();
    expect(state['weight']!.requiresGrad).toBe(false);
    expect(state['weight']!.isLeaf).toBe(true);
    expect(state['weight']!.data).toBe(lin.weight.data);
  });
});

describe('loadStateDict', () => {
  it('copies values into the existing parameters and returns no missing or unexpected keys', () => {
    const source = makeNet(1);
    const target = makeNet(2);
    const before = target.parameters();
    expect(values(target.stateDict())).not.toEqual(values(source.stateDict()));
    expect(target.loadStateDict(source.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(values(target.stateDict())).toEqual(values(source.stateDict()));
    target.parameters().forEach((p, i) => {
      expect(p).toBe(before[i]);
      expect(p.requiresGrad).toBe(true);
    });
  });

  it('converts dtypes while loading (float64 into float32, float into int32 buffers)', () => {
    const m = new Tracked();
    const state = { ...m.stateDict(), gain: arange(0, 2, 1, { dtype: 'float64' }).add(0.5), count: ones([1]).mul(3) };
    m.loadStateDict(state);
    expect(m.getParameter('gain')!.dtype).toBe('float32');
    expect(m.getParameter('gain')!.toArray()).toEqual([0.5, 1.5]);
    expect(m.getBuffer('count')!.dtype).toBe('int32');
    expect(m.getBuffer('count')!.toArray()).toEqual([3]);
  });

  it('loads a module its own state dict (aliased storage) unchanged', () => {
    const net = makeNet(3);
    const before = values(net.stateDict());
    net.loadStateDict(net.stateDict());
    expect(values(net.stateDict())).toEqual(before);
  });

  it('strict: throws on missing keys, listing them', () => {
    const net = makeNet(4);
    const state = net.stateDict();
    delete state['0.bias'];
    delete state['2.1.weight'];
    const error = expectStateDictError(() => net.loadStateDict(state));
    expect(error.missingKeys).toEqual(['0.bias', '2.1.weight']);
    expect(error.unexpectedKeys).toEqual([]);
    expect(error.message).toContain('0.bias');
    expect(error.message).toContain('2.1.weight');
  });

  it('strict: throws on unexpected keys, listing them', () => {
    const net = makeNet(5);
    const error = expectStateDictError(() => net.loadStateDict({ ...net.stateDict(), 'extra.weight': zeros([1]), '3.bias': zeros([2]) }));
    expect(error.unexpectedKeys).toEqual(['extra.weight', '3.bias']);
    expect(error.missingKeys).toEqual([]);
  });

  it('lists every missing, unexpected and misshaped key in one error', () => {
    const net = makeNet(6);
    const state: Record<string, Tensor> = { ...net.stateDict(), '0.weight': zeros([4, 5]), '2.0.bias': zeros([3]), stray: zeros([1]) };
    delete state['2.1.bias'];
    const error = expectStateDictError(() => net.loadStateDict(state));
    expect(error.missingKeys).toEqual(['2.1.bias']);
    expect(error.unexpectedKeys).toEqual(['stray']);
    expect(error.shapeMismatches).toEqual([
      { key: '0.weight', expected: [4, 3], received: [4, 5] },
      { key: '2.0.bias', expected: [4], received: [3] },
    ]);
    for (const key of ['2.1.bias', 'stray', '0.weight', '2.0.bias', '[4, 3]', '[4, 5]']) expect(error.message).toContain(key);
  });

  it('non-strict: loads what matches and returns the missing and unexpected keys', () => {
    const source = makeNet(7);
    const target = makeNet(8);
    const state: Record<string, Tensor> = { ...source.stateDict(), 'head.weight': zeros([1]) };
    delete state['2.1.bias'];
    const untouched = target.getParameter('2.1.bias')!.toArray();
    const result = target.loadStateDict(state, { strict: false });
    expect(result).toEqual({ missingKeys: ['2.1.bias'], unexpectedKeys: ['head.weight'] });
    expect(target.getParameter('0.weight')!.toArray()).toEqual(source.getParameter('0.weight')!.toArray());
    expect(target.getParameter('2.1.bias')!.toArray()).toEqual(untouched);
  });

  it('non-strict: still throws on a shape mismatch', () => {
    const net = makeNet(9);
    const error = expectStateDictError(() => net.loadStateDict({ '0.bias': zeros([7]) }, { strict: false }));
    expect(error.shapeMismatches.map((m) => m.key)).toEqual(['0.bias']);
    expect(error.missingKeys).toEqual([]);
  });

  it('a failed load changes nothing', () => {
    const target = makeNet(10);
    const before = values(target.stateDict());
    const state: Record<string, Tensor> = { ...makeNet(11).stateDict(), '2.1.weight': zeros([9, 9]) };
    expectStateDictError(() => target.loadStateDict(state));
    expect(values(target.stateDict())).toEqual(before);
    const missing = makeNet(12).stateDict();
    delete missing['0.weight'];
    expectStateDictError(() => target.loadStateDict(missing));
    expect(values(target.stateDict())).toEqual(before);
  });

  it('rejects a value that is not a tensor with a ValueError', () => {
    const lin = new Linear({ inFeatures: 1, outFeatures: 1 });
    expect(() => lin.loadStateDict({ weight: [[1]] as unknown as Tensor, bias: zeros([1]) })).toThrow(ValueError);
  });

  it('ignores non-persistent buffers', () => {
    const m = new Tracked();
    const state = m.stateDict();
    expect(Object.keys(state)).not.toContain('scratch');
    expect(m.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(() => m.loadStateDict({ ...state, scratch: zeros([2]) })).toThrow(StateDictError);
  });
});
