/**
 * tensorloom against PyTorch 1.13: the fixtures in test/fixtures/ were written by
 * make_fixtures.py (see the README there). Values are float32 on both sides; each comparison
 * allows |actual − expected| ≤ 1e-6 + 1e-5·|expected|.
 *
 * Set TENSORLOOM_PARITY_REPORT=1 to print the largest errors per fixture.
 */
import { describe, expect, it } from 'vitest';
import { crossEntropy, nn, optim, parseSafetensors, serializeSafetensors, tensor, type Tensor } from '../src/index.js';
import { fixture, leaf, need, parityComparer } from './parity-support.js';

const compare = parityComparer();
const mlpFixture = await fixture('mlp.safetensors');
const crossEntropyFixture = await fixture('cross_entropy.safetensors');
const optimFixture = await fixture('optim.safetensors');

// ---- MLP ------------------------------------------------------------------------------------------
describe('a 2-layer MLP matches PyTorch (mlp.safetensors)', () => {
  const { tensors, metadata } = mlpFixture;
  const stateKeys = JSON.parse(metadata.state_dict_keys!) as string[];
  const makeModel = () =>
    new nn.Sequential(new nn.Linear({ inFeatures: 5, outFeatures: 8 }), new nn.Tanh(), new nn.Linear({ inFeatures: 8, outFeatures: 3 }));

  it("names its parameters as PyTorch's state_dict does", () => {
    expect(Object.keys(makeModel().stateDict()).sort()).toEqual([...stateKeys].sort());
  });

  it('matches the forward logits and mean cross-entropy loss, and every gradient', () => {
    const model = makeModel();
    model.loadStateDict(Object.fromEntries(stateKeys.map((k) => [k, need(tensors, k)])), { strict: true });
    const x = leaf(need(tensors, 'input'));
    const logits = model.forward(x);
    const loss = crossEntropy(logits, need(tensors, 'target'));
    compare('mlp forward', 'logits', logits, need(tensors, 'logits'));
    compare('mlp forward', 'loss', loss, need(tensors, 'loss'));

    loss.backward();
    const named = model.namedParameters();
    expect(named.map(([name]) => name).sort()).toEqual([...stateKeys].sort());
    for (const [name, parameter] of named) compare('mlp backward', `grad of ${name}`, parameter.grad, need(tensors, `grad.${name}`));
    compare('mlp backward', 'grad of input', x.grad, need(tensors, 'grad.input'));
  });

  it('saves a state dict that reads back bit for bit with the same names', () => {
    const model = makeModel();
    model.loadStateDict(Object.fromEntries(stateKeys.map((k) => [k, need(tensors, k)])), { strict: true });
    const reread = parseSafetensors(serializeSafetensors(model.stateDict())).tensors;
    for (const key of stateKeys) expect([...need(reread, key).data]).toEqual([...need(tensors, key).data]);
  });
});

// ---- cross-entropy --------------------------------------------------------------------------------
interface CrossEntropyCase {
  weight?: boolean;
  ignoreIndex?: number;
  labelSmoothing?: number;
}
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

describe('crossEntropy matches PyTorch (cross_entropy.safetensors)', () => {
  const { tensors, metadata } = crossEntropyFixture;
  const cases = JSON.parse(metadata.cases!) as Record<string, CrossEntropyCase>;
  const table = Object.entries(cases).flatMap(([name, options]) => REDUCTIONS.map((reduction) => [name, reduction, options] as const));

  it('covers ignore_index, class weights, label smoothing and the [N, C, d] layout', () => {
    expect(Object.keys(cases)).toEqual(
      expect.arrayContaining(['ignore_default', 'ignore_custom', 'weight', 'smoothing', 'spatial_weight_smoothing']),
    );
    expect(need(tensors, 'spatial/logits').shape).toEqual([6, 4, 3]);
  });

  it.each(table)('%s with reduction %s: loss and gradient wrt the logits', (name, reduction, options) => {
    const logits = leaf(need(tensors, `${name}/logits`));
    const loss = crossEntropy(logits, need(tensors, `${name}/target`), {
      reduction,
      ...(options.weight ? { weight: need(tensors, 'weight') } : {}),
      ...(options.ignoreIndex !== undefined ? { ignoreIndex: options.ignoreIndex } : {}),
      ...(options.labelSmoothing !== undefined ? { labelSmoothing: options.labelSmoothing } : {}),
    });
    const group = `cross_entropy ${reduction}`;
    compare(group, `${name} loss`, loss, need(tensors, `${name}/${reduction}/loss`));
    if (reduction === 'none') loss.backward(need(tensors, `${name}/none/upstream`));
    else loss.backward();
    compare(group, `${name} grad`, logits.grad, need(tensors, `${name}/${reduction}/grad`));
  });
});

// ---- optimizers -----------------------------------------------------------------------------------
interface OptimConfig {
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
}

interface Stepper {
  step(): unknown;
  zeroGrad(): unknown;
}

function makeOptimizer(config: OptimConfig, params: Tensor[]): Stepper {
  const options = config.options;
  switch (config.optimizer) {
    case 'SGD':
      return new optim.SGD(params, options as optim.SGDOptions);
    case 'Adam':
      return new optim.Adam(params, options as optim.AdamOptions);
    case 'AdamW':
      return new optim.AdamW(params, options as optim.AdamOptions);
    case 'RMSprop':
      return new optim.RMSprop(params, options as optim.RMSpropOptions);
    case 'Adagrad':
      return new optim.Adagrad(params, options as optim.AdagradOptions);
  }
}

describe('optimizers match PyTorch over 20 steps (optim.safetensors)', () => {
  const { tensors, metadata } = optimFixture;
  const configs = JSON.parse(metadata.configs!) as Record<string, OptimConfig>;
  const param0 = need(tensors, 'param0');
  const grads = need(tensors, 'grads');
  const steps = grads.shape[0]!;
  const size = param0.size;

  it('covers every optimizer with its variants', () => {
    expect(new Set(Object.values(configs).map((c) => c.optimizer))).toEqual(new Set(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad']));
    expect(steps).toBe(20);
  });

  it.each(Object.keys(configs))('%s: the parameter after each step', (name) => {
    const config = configs[name]!;
    const parameter = leaf(param0);
    const optimizer = makeOptimizer(config, [parameter]);
    const history = new Float32Array(steps * size);
    for (let k = 0; k < steps; k++) {
      optimizer.zeroGrad();
      parameter.grad = tensor(grads.data.subarray(k * size, (k + 1) * size), { shape: param0.shape, dtype: 'float32' });
      optimizer.step(); // called outside noGrad, as users do: the optimizer must not record
      history.set(parameter.data, k * size);
    }
    compare(
      `optim ${name}`,
      'parameters after every step',
      tensor(history, { shape: [steps, ...param0.shape] }),
      need(tensors, `${name}/params`),
    );
  });
});
