import { describe, expect, it } from 'vitest';
import { DTypeError, ValueError } from '../errors.js';
import { mul } from '../ops/arithmetic.js';
import { ones, tensor, zeros } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import { Tensor } from '../tensor.js';
import { Dropout } from './dropout.js';
import { normal_ } from './init.js';
import { Linear } from './linear.js';
import { Module, type AnyModule } from './module.js';
import { ReLU, Tanh } from './activation.js';
import { Sequential } from './sequential.js';

/** A toy layer with a parameter, a persistent and a non-persistent buffer, and a child. */
class Scale extends Module {
  constructor(
    size: number,
    readonly generator = new Generator(0),
  ) {
    super();
    this.registerParameter('scale', Tensor.empty([size], 'float32'));
    this.registerBuffer('steps', zeros([1], { dtype: 'int32' }));
    this.registerBuffer('cache', zeros([size]), { persistent: false });
    this.registerModule('inner', new Linear({ inFeatures: size, outFeatures: size, generator: this.generator }));
    this.resetParameters();
  }

  get scale(): Tensor {
    return this.getParameter('scale')!;
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    normal_(this.scale, { generator });
  }

  forward(x: Tensor): Tensor {
    return mul(x, this.scale);
  }
}

const names = (entries: Array<[string, unknown]>): string[] => entries.map(([n]) => n);

describe('Module registration', () => {
  it('names parameters with dots, own first then children in registration order', () => {
    const net = new Sequential(
      new Linear({ inFeatures: 3, outFeatures: 4 }),
      new ReLU(),
      new Linear({ inFeatures: 4, outFeatures: 2, bias: false }),
    );
    expect(names(net.namedParameters())).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(names(net.namedParameters({ prefix: 'model' }))).toEqual(['model.0.weight', 'model.0.bias', 'model.2.weight']);
    expect(net.parameters({ recurse: false })).toEqual([]);
    const scale = new Scale(2);
    expect(names(scale.namedParameters())).toEqual(['scale', 'inner.weight', 'inner.bias']);
    expect(names(scale.namedParameters({ recurse: false }))).toEqual(['scale']);
  });

  it('names nested record Sequentials as PyTorch (encoder.lin.bias)', () => {
    const net = new Sequential({
      encoder: new Sequential({ lin: new Linear({ inFeatures: 2, outFeatures: 3 }), act: new Tanh() }),
      head: new Linear({ inFeatures: 3, outFeatures: 1 }),
    });
    expect(names(net.namedParameters())).toEqual(['encoder.lin.weight', 'encoder.lin.bias', 'head.weight', 'head.bias']);
    expect(names(net.namedModules())).toEqual(['', 'encoder', 'encoder.lin', 'encoder.act', 'head']);
    expect(names(net.namedChildren())).toEqual(['encoder', 'head']);
    expect(net.getParameter('encoder.lin.bias')).toBe((net.getSubmodule('encoder.lin') as Linear).bias);
    expect(net.getSubmodule('')).toBe(net);
  });

  it('lists a shared module and a shared parameter once', () => {
    const shared = new Linear({ inFeatures: 2, outFeatures: 2 });
    const net = new Sequential(shared, new ReLU(), shared);
    expect(net.modules()).toHaveLength(3);
    expect(net.parameters()).toHaveLength(2);
    expect(net.numParameters()).toBe(6);
    // The state dict names it under both keys, as PyTorch.
    expect(Object.keys(net.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('sets requiresGrad on registered parameters and counts trainable ones', () => {
    const lin = new Linear({ inFeatures: 3, outFeatures: 2 });
    expect(lin.weight.requiresGrad).toBe(true);
    expect(lin.weight.isLeaf).toBe(true);
    lin.bias!.requiresGrad = false;
    expect(lin.numParameters()).toBe(8);
    expect(lin.numParameters({ onlyTrainable: true })).toBe(6);
    lin.requiresGrad_(false);
    expect(lin.parameters().every((p) => !p.requiresGrad)).toBe(true);
  });

  it('lists buffers, persistent or not', () => {
    const scale = new Scale(2);
    expect(names(scale.namedBuffers())).toEqual(['steps', 'cache']);
    expect(scale.buffers()).toHaveLength(2);
    expect(scale.getBuffer('steps')!.dtype).toBe('int32');
  });

  it('rejects bad registrations with typed errors', () => {
    const m = new Scale(2);
    expect(() => m.registerParameter('a.b', zeros([1]))).toThrow(ValueError);
    expect(() => m.registerParameter('', zeros([1]))).toThrow(ValueError);
    expect(() => m.registerParameter('steps', zeros([1]))).toThrow(ValueError);
    expect(() => m.registerBuffer('scale', zeros([1]))).toThrow(ValueError);
    expect(() => m.registerModule('scale', new ReLU())).toThrow(ValueError);
    expect(() => m.registerParameter('ints', zeros([1], { dtype: 'int32' }))).toThrow(DTypeError);
    const nonLeaf = mul(ones([2], { requiresGrad: true }), 2);
    expect(() => m.registerParameter('derived', nonLeaf)).toThrow(ValueError);
    expect(() => m.getParameter('missing')).toThrow(ValueError);
    expect(() => m.getParameter('nowhere.weight')).toThrow(ValueError);
    expect(() => m.getSubmodule('inner.deeper')).toThrow(ValueError);
  });

  it('replaces a parameter registered again under the same name, keeping its place', () => {
    const m = new Scale(2);
    const fresh = zeros([2]);
    m.registerParameter('scale', fresh);
    expect(m.scale).toBe(fresh);
    expect(names(m.namedParameters())[0]).toBe('scale');
  });

  it('skips parameters registered as null', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2, bias: false });
    expect(lin.bias).toBeNull();
    expect(names(lin.namedParameters())).toEqual(['weight']);
    expect(Object.keys(lin.stateDict())).toEqual(['weight']);
  });
});

describe('Module modes and gradients', () => {
  it('train/eval propagate to every descendant and switch Dropout', () => {
    const drop = new Dropout({ p: 0.5, generator: new Generator(1) });
    const net = new Sequential(new Sequential(new Linear({ inFeatures: 4, outFeatures: 4 }), drop), new ReLU());
    const x = ones([100]);
    expect(net.training).toBe(true);
    expect(drop.call(x).toArray()).toContain(0);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    expect(drop.call(x)).toBe(x);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.train(false);
    expect(drop.training).toBe(false);
  });

  it('zeroGrad drops gradients or zeroes them in place', () => {
    const m = new Scale(3);
    m.call(ones([3]))
      .sum()
      .backward();
    const grad = m.scale.grad!;
    expect(grad.toArray()).toEqual([1, 1, 1]);
    m.zeroGrad({ setToNone: false });
    expect(m.scale.grad).toBe(grad);
    expect(grad.toArray()).toEqual([0, 0, 0]);
    m.zeroGrad();
    expect(m.scale.grad).toBeNull();
  });

  it('apply visits children before their parent', () => {
    const net = new Sequential({ a: new ReLU(), b: new Sequential({ c: new Tanh() }) });
    const seen: string[] = [];
    net.apply((m: AnyModule) => seen.push(m.typeName));
    expect(seen).toEqual(['ReLU', 'Tanh', 'Sequential', 'Sequential']);
  });
});

describe('Module.resetParameters', () => {
  it('re-draws from a re-seeded generator reproducibly, children included, in place', () => {
    const gen = new Generator(7);
    const m = new Scale(3, gen);
    const snapshot = (): Record<string, unknown> => Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.toArray()]));
    const initial = snapshot();
    const tensors = m.parameters();
    gen.manualSeed(123);
    m.resetParameters();
    const first = snapshot();
    expect(first['scale']).not.toEqual(initial['scale']);
    expect(first['inner.weight']).not.toEqual(initial['inner.weight']);
    gen.manualSeed(123);
    m.resetParameters();
    expect(snapshot()).toEqual(first);
    expect(m.parameters()).toEqual(tensors);
    m.parameters().forEach((p, i) => expect(p).toBe(tensors[i]));
  });

  it('draws from a generator passed to resetParameters instead of the layers own', () => {
    const lin = new Linear({ inFeatures: 4, outFeatures: 3, generator: new Generator(1) });
    lin.resetParameters({ generator: new Generator(99) });
    const a = lin.weight.toArray();
    lin.resetParameters({ generator: new Generator(99) });
    expect(lin.weight.toArray()).toEqual(a);
    expect(new Linear({ inFeatures: 4, outFeatures: 3, generator: new Generator(99) }).weight.toArray()).toEqual(a);
  });
});

describe('Module.to', () => {
  it('converts float parameters and buffers, keeps int32 buffers and requiresGrad', () => {
    const m = new Scale(2);
    const values = m.scale.toArray() as number[];
    m.scale.grad = ones([2]);
    expect(m.double()).toBe(m);
    for (const p of m.parameters()) {
      expect(p.dtype).toBe('float64');
      expect(p.requiresGrad).toBe(true);
      expect(p.isLeaf).toBe(true);
    }
    expect(m.scale.grad!.dtype).toBe('float64');
    expect(m.scale.toArray()).toEqual(values);
    expect(m.getBuffer('cache')!.dtype).toBe('float64');
    expect(m.getBuffer('steps')!.dtype).toBe('int32');
    expect(m.call(ones([2], { dtype: 'float64' })).dtype).toBe('float64');
    m.float();
    expect(m.parameters().every((p) => p.dtype === 'float32')).toBe(true);
  });

  it('rejects int32 with a DTypeError', () => {
    expect(() => new Scale(2).to('int32' as never)).toThrow(DTypeError);
  });

  it('layers built with dtype float64 hold float64 parameters', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2, dtype: 'float64' });
    expect(lin.weight.dtype).toBe('float64');
    expect(lin.bias!.dtype).toBe('float64');
  });
});

describe('Module.toString', () => {
  it('prints the module tree with nested indentation as PyTorch', () => {
    const net = new Sequential(
      new Linear({ inFeatures: 3, outFeatures: 2 }),
      new Sequential({ act: new ReLU(), drop: new Dropout({ p: 0.1 }) }),
    );
    expect(net.toString()).toBe(
      [
        'Sequential(',
        '  (0): Linear(inFeatures=3, outFeatures=2, bias=true)',
        '  (1): Sequential(',
        '    (act): ReLU()',
        '    (drop): Dropout(p=0.1)',
        '  )',
        ')',
      ].join('\n'),
    );
  });

  it('prints the extra representation and the children of a layer with both', () => {
    class Block extends Module {
      constructor() {
        super();
        this.registerModule('lin', new Linear({ inFeatures: 1, outFeatures: 1, bias: false }));
        this.registerModule('skip', null);
      }
      override extraRepr(): string {
        return 'residual=true';
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(new Block().toString()).toBe(
      'Block(\n  residual=true\n  (lin): Linear(inFeatures=1, outFeatures=1, bias=false)\n  (skip): null\n)',
    );
    expect(String(new ReLU())).toBe('ReLU()');
  });
});

describe('Module typing', () => {
  it('types forward by its argument tuple and result', () => {
    class Pair extends Module<[Tensor, Tensor], [Tensor, Tensor]> {
      forward(a: Tensor, b: Tensor): [Tensor, Tensor] {
        return [b, a];
      }
    }
    const a = tensor([1]);
    const b = tensor([2]);
    const [first, second] = new Pair().call(a, b);
    expect(first).toBe(b);
    expect(second).toBe(a);
  });
});
