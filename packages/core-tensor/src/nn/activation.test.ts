import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from '../ops/activation.js';
import { randn, tensor, zeros } from '../ops/creation.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh } from './activation.js';
import { Flatten } from './flatten.js';
import { Identity } from './identity.js';

const x = randn([3, 4], { generator: new Generator(0) });

describe('activation modules', () => {
  it('apply their op', () => {
    expectClose(new ReLU().call(x), relu(x));
    expectClose(new Tanh().call(x), tanh(x));
    expectClose(new Sigmoid().call(x), sigmoid(x));
    expectClose(new SiLU().call(x), silu(x));
    expectClose(new GELU().call(x), gelu(x));
    expectClose(new GELU({ approximate: 'tanh' }).call(x), gelu(x, { approximate: 'tanh' }));
    expectClose(new LeakyReLU().call(x), leakyRelu(x, 0.01));
    expectClose(new LeakyReLU({ negativeSlope: 0.2 }).call(x), leakyRelu(x, 0.2));
    expectClose(new ELU({ alpha: 0.5 }).call(x), elu(x, 0.5));
    expectClose(new Softplus({ beta: 2 }).call(x), softplus(x, { beta: 2 }));
    expectClose(new Softmax({ dim: 0 }).call(x), softmax(x, 0));
    expectClose(new LogSoftmax({ dim: -1 }).call(x), logSoftmax(x, -1));
  });

  it('use PyTorch defaults', () => {
    expect(new LeakyReLU().negativeSlope).toBe(0.01);
    expect(new ELU().alpha).toBe(1);
    expect(new GELU().approximate).toBe('none');
    expect([new Softplus().beta, new Softplus().threshold]).toEqual([1, 20]);
    expect(new ReLU().parameters()).toEqual([]);
  });

  it('print their options', () => {
    expect(new ReLU().toString()).toBe('ReLU()');
    expect(new LeakyReLU({ negativeSlope: 0.2 }).toString()).toBe('LeakyReLU(negativeSlope=0.2)');
    expect(new GELU({ approximate: 'tanh' }).toString()).toBe("GELU(approximate='tanh')");
    expect(new Softmax({ dim: 1 }).toString()).toBe('Softmax(dim=1)');
    expect(new Flatten().toString()).toBe('Flatten(startDim=1, endDim=-1)');
  });

  it('reject bad options with a ValueError', () => {
    expect(() => new GELU({ approximate: 'erf' as never })).toThrow(ValueError);
    expect(() => new Softmax({} as never)).toThrow(ValueError);
    expect(() => new LogSoftmax({ dim: 0.5 })).toThrow(ValueError);
  });

  it('propagate NaN', () => {
    expect(Number.isNaN(new Tanh().call(tensor([NaN])).item())).toBe(true);
  });
});

describe('Identity and Flatten', () => {
  it('Identity returns its input', () => {
    expect(new Identity().call(x)).toBe(x);
  });

  it('Flatten merges all but the batch axis by default, or the given range', () => {
    expect(new Flatten().call(zeros([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new Flatten({ startDim: 0, endDim: 1 }).call(zeros([2, 3, 4])).shape).toEqual([6, 4]);
    expect(new Flatten().call(zeros([0, 3])).shape).toEqual([0, 3]);
  });
});
