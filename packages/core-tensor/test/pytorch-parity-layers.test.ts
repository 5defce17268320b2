/**
 * tensorloom's layers, activations, losses, reductions, matmul and lr schedulers against PyTorch
 * 1.13: the fixtures in test/fixtures/ were written by make_layer_fixtures.py (see the README
 * there). Values are float32 on both sides (the lrs float64); each comparison allows
 * |actual − expected| ≤ 1e-6 + 1e-5·|expected|.
 *
 * Set TENSORLOOM_PARITY_REPORT=1 to print the largest errors per fixture.
 */
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  elu,
  gelu,
  huberLoss,
  l1Loss,
  leakyRelu,
  logSoftmax,
  logsumexp,
  matmul,
  mseLoss,
  nllLoss,
  nn,
  optim,
  relu,
  sigmoid,
  silu,
  softmax,
  softplus,
  std,
  tanh,
  tensor,
  variance,
  type Tensor,
} from '../src/index.js';
import { fixture, leaf, need, parityComparer } from './parity-support.js';

const compare = parityComparer();
const layerNormFixture = await fixture('layer_norm.safetensors');
const embeddingFixture = await fixture('embedding.safetensors');
const activationsFixture = await fixture('activations.safetensors');
const lossesFixture = await fixture('losses.safetensors');
const reductionsFixture = await fixture('reductions.safetensors');
const schedulersFixture = await fixture('lr_schedulers.safetensors');

/** Backpropagates `out` as the fixture did: with `<prefix>/upstream` when it stored one, else from a scalar. */
function backwardLike(out: Tensor, tensors: Record<string, Tensor>, prefix: string): void {
  const upstream = tensors[`${prefix}/upstream`];
  if (upstream === undefined) {
    expect(out.shape).toEqual([]);
    out.backward();
  } else {
    out.backward(upstream);
  }
}

// ---- LayerNorm ------------------------------------------------------------------------------------
interface LayerNormCase {
  normalizedShape: number[];
  elementwiseAffine: boolean;
  eps?: number;
}

describe('nn.LayerNorm matches PyTorch (layer_norm.safetensors)', () => {
  const { tensors, metadata } = layerNormFixture;
  const cases = JSON.parse(metadata.cases!) as Record<string, LayerNormCase>;

  it('covers the last 1 and the last 2 axes, with and without the affine parameters', () => {
    const shapes = Object.values(cases).map((c) => `${c.normalizedShape.length}:${c.elementwiseAffine}`);
    expect(new Set(shapes)).toEqual(new Set(['1:true', '1:false', '2:true', '2:false']));
  });

  it.each(Object.keys(cases))('%s: output and the gradients wrt input, weight and bias', (name) => {
    const options = cases[name]!;
    const layer = new nn.LayerNorm({
      normalizedShape: options.normalizedShape,
      elementwiseAffine: options.elementwiseAffine,
      ...(options.eps !== undefined ? { eps: options.eps } : {}),
    });
    if (options.elementwiseAffine) {
      layer.loadStateDict({ weight: need(tensors, `${name}/weight`), bias: need(tensors, `${name}/bias`) }, { strict: true });
    } else {
      expect(layer.parameters()).toHaveLength(0);
    }
    const x = leaf(need(tensors, 'input'));
    const y = layer.call(x);
    const group = `layer_norm ${name}`;
    compare(group, 'output', y, need(tensors, `${name}/output`));
    backwardLike(y, tensors, name);
    compare(group, 'grad of input', x.grad, need(tensors, `${name}/grad.input`));
    if (options.elementwiseAffine) {
      compare(group, 'grad of weight', layer.weight!.grad, need(tensors, `${name}/grad.weight`));
      compare(group, 'grad of bias', layer.bias!.grad, need(tensors, `${name}/grad.bias`));
    }
  });
});

// ---- Embedding ------------------------------------------------------------------------------------
describe('nn.Embedding matches PyTorch (embedding.safetensors)', () => {
  const { tensors, metadata } = embeddingFixture;
  const cases = JSON.parse(metadata.cases!) as Record<string, { paddingIdx?: number }>;
  const indices = need(tensors, 'indices');
  const weight0 = need(tensors, 'weight');
  const [numEmbeddings, embeddingDim] = weight0.shape as [number, number];

  it('looks up repeated indices and the padding index', () => {
    const seen = [...indices.data];
    expect(seen.length).toBeGreaterThan(new Set(seen).size);
    expect(seen).toEqual(expect.arrayContaining([0, numEmbeddings - 1]));
  });

  it.each(Object.keys(cases))('%s: output and weight gradient (none for the padding row)', (name) => {
    const { paddingIdx } = cases[name]!;
    const layer = new nn.Embedding({ numEmbeddings, embeddingDim, ...(paddingIdx !== undefined ? { paddingIdx } : {}) });
    layer.loadStateDict({ weight: weight0 }, { strict: true });
    const y = layer.call(indices);
    const group = `embedding ${name}`;
    compare(group, 'output', y, need(tensors, `${name}/output`));
    backwardLike(y, tensors, name);
    const grad = layer.weight.grad;
    compare(group, 'grad of weight', grad, need(tensors, `${name}/grad.weight`));
    if (paddingIdx !== undefined) {
      const row = (paddingIdx + numEmbeddings) % numEmbeddings;
      expect([...grad!.data.subarray(row * embeddingDim, (row + 1) * embeddingDim)]).toEqual(new Array(embeddingDim).fill(0));
      expect([...indices.data]).toContain(row);
    }
  });
});

// ---- activations ----------------------------------------------------------------------------------
interface ActivationOptions {
  negativeSlope?: number;
  alpha?: number;
  approximate?: 'none' | 'tanh';
  beta?: number;
  threshold?: number;
  dim?: number;
}

type Activation = (x: Tensor) => Tensor;

/** The activation `name` as a module (`call`) and as a function. */
function activationForms(name: string, o: ActivationOptions): { module: nn.TensorModule; fn: Activation } {
  switch (name) {
    case 'relu':
      return { module: new nn.ReLU(), fn: relu };
    case 'leaky_relu':
      return { module: new nn.LeakyReLU({ negativeSlope: o.negativeSlope! }), fn: (x) => leakyRelu(x, o.negativeSlope!) };
    case 'elu':
      return { module: new nn.ELU({ alpha: o.alpha! }), fn: (x) => elu(x, o.alpha!) };
    case 'gelu':
    case 'gelu_tanh':
      return { module: new nn.GELU({ approximate: o.approximate! }), fn: (x) => gelu(x, { approximate: o.approximate! }) };
    case 'silu':
      return { module: new nn.SiLU(), fn: silu };
    case 'softplus':
      return {
        module: new nn.Softplus({ beta: o.beta!, threshold: o.threshold! }),
        fn: (x) => softplus(x, { beta: o.beta!, threshold: o.threshold! }),
      };
    case 'sigmoid':
      return { module: new nn.Sigmoid(), fn: sigmoid };
    case 'tanh':
      return { module: new nn.Tanh(), fn: tanh };
    case 'softmax':
      return { module: new nn.Softmax({ dim: o.dim! }), fn: (x) => softmax(x, o.dim!) };
    case 'log_softmax':
      return { module: new nn.LogSoftmax({ dim: o.dim! }), fn: (x) => logSoftmax(x, o.dim!) };
    default:
      throw new Error(`no activation '${name}'`);
  }
}

describe('activations match PyTorch as modules and as functions (activations.safetensors)', () => {
  const { tensors, metadata } = activationsFixture;
  const cases = JSON.parse(metadata.cases!) as Record<string, ActivationOptions>;
  const input = need(tensors, 'input');
  const upstream = need(tensors, 'upstream');
  const table = Object.keys(cases).flatMap((name) => (['module', 'function'] as const).map((form) => [name, form] as const));

  it('feeds inputs of magnitude 30, exact zeros of both signs and the softplus threshold', () => {
    const values = [...input.data];
    expect(values).toEqual(expect.arrayContaining([30, -30, 0, 2.5]));
    expect(values.some((v) => Object.is(v, -0))).toBe(true);
    expect(input.shape).toEqual([2, 3, 8]);
  });

  it.each(table)('%s (%s): output and input gradient', (name, form) => {
    const { module, fn } = activationForms(name, cases[name]!);
    const x = leaf(input);
    const y = form === 'module' ? module.call(x) : fn(x);
    const group = `activation ${name}`;
    compare(group, `${form} output`, y, need(tensors, `${name}/output`));
    y.backward(upstream);
    compare(group, `${form} grad of input`, x.grad, need(tensors, `${name}/grad.input`));
  });
});

// ---- losses ---------------------------------------------------------------------------------------
interface LossCase {
  loss: 'nllLoss' | 'mseLoss' | 'l1Loss' | 'huberLoss' | 'binaryCrossEntropyWithLogits' | 'binaryCrossEntropy';
  /** tensorloom options; a string value names a tensor of the fixture. */
  options: Record<string, string | number>;
}
const REDUCTIONS = ['mean', 'sum', 'none'] as const;
type Reduction = (typeof REDUCTIONS)[number];

function runLoss(c: LossCase, input: Tensor, target: Tensor, reduction: Reduction, tensors: Record<string, Tensor>): Tensor {
  const options: Record<string, unknown> = { reduction };
  for (const [key, value] of Object.entries(c.options)) options[key] = typeof value === 'string' ? need(tensors, value) : value;
  switch (c.loss) {
    case 'nllLoss':
      return nllLoss(input, target, options);
    case 'mseLoss':
      return mseLoss(input, target, options);
    case 'l1Loss':
      return l1Loss(input, target, options);
    case 'huberLoss':
      return huberLoss(input, target, options);
    case 'binaryCrossEntropyWithLogits':
      return binaryCrossEntropyWithLogits(input, target, options);
    case 'binaryCrossEntropy':
      return binaryCrossEntropy(input, target, options);
  }
}

describe('losses match PyTorch (losses.safetensors)', () => {
  const { tensors, metadata } = lossesFixture;
  const cases = JSON.parse(metadata.cases!) as Record<string, LossCase>;
  const table = Object.keys(cases).flatMap((name) => REDUCTIONS.map((reduction) => [name, reduction] as const));

  it('covers every loss with its weights and options', () => {
    expect(new Set(Object.values(cases).map((c) => c.loss))).toEqual(
      new Set(['nllLoss', 'mseLoss', 'l1Loss', 'huberLoss', 'binaryCrossEntropyWithLogits', 'binaryCrossEntropy']),
    );
    const optionNames = new Set(Object.values(cases).flatMap((c) => Object.keys(c.options)));
    expect(optionNames).toEqual(new Set(['weight', 'ignoreIndex', 'delta', 'posWeight']));
  });

  it.each(table)('%s with reduction %s: loss and gradient wrt the input', (name, reduction) => {
    const c = cases[name]!;
    const input = leaf(need(tensors, `${name}/input`));
    const loss = runLoss(c, input, need(tensors, `${name}/target`), reduction, tensors);
    const group = `loss ${c.loss} ${reduction}`;
    compare(group, `${name} loss`, loss, need(tensors, `${name}/${reduction}/loss`));
    backwardLike(loss, tensors, `${name}/${reduction}`);
    compare(group, `${name} grad`, input.grad, need(tensors, `${name}/${reduction}/grad`));
  });
});

// ---- reductions and matmul ------------------------------------------------------------------------
interface ReductionCase {
  op: 'logsumexp' | 'var' | 'std';
  axis?: number[];
  keepdim: boolean;
  correction?: number;
}

describe('reductions and a broadcasting matmul match PyTorch (reductions.safetensors)', () => {
  const { tensors, metadata } = reductionsFixture;
  const cases = JSON.parse(metadata.cases!) as Record<string, ReductionCase>;

  it('covers logsumexp over (1, 2) with keepdim and var / std with corrections 0 and 1', () => {
    expect(cases.logsumexp_12_keepdim).toEqual({ op: 'logsumexp', axis: [1, 2], keepdim: true });
    for (const op of ['var', 'std']) {
      expect(
        new Set(
          Object.values(cases)
            .filter((c) => c.op === op)
            .map((c) => c.correction),
        ),
      ).toEqual(new Set([0, 1]));
    }
  });

  it.each(Object.keys(cases))('%s: value and input gradient', (name) => {
    const { op, axis, keepdim, correction } = cases[name]!;
    const x = leaf(need(tensors, 'input'));
    let y: Tensor;
    if (op === 'logsumexp') y = logsumexp(x, axis, { keepdim });
    else if (op === 'var') y = variance(x, axis, { keepdim, correction: correction! });
    else y = std(x, axis, { keepdim, correction: correction! });
    const group = `reduction ${op}`;
    compare(group, `${name} value`, y, need(tensors, `${name}/output`));
    backwardLike(y, tensors, name);
    compare(group, `${name} grad of input`, x.grad, need(tensors, `${name}/grad.input`));
  });

  it('matmul [2, 1, 3, 4]·[5, 4, 2]: product and the gradients of both operands', () => {
    const a = leaf(need(tensors, 'matmul/a'));
    const b = leaf(need(tensors, 'matmul/b'));
    expect([a.shape, b.shape]).toEqual([
      [2, 1, 3, 4],
      [5, 4, 2],
    ]);
    const c = matmul(a, b);
    compare('matmul broadcast', 'product', c, need(tensors, 'matmul/output'));
    backwardLike(c, tensors, 'matmul');
    compare('matmul broadcast', 'grad of a', a.grad, need(tensors, 'matmul/grad.a'));
    compare('matmul broadcast', 'grad of b', b.grad, need(tensors, 'matmul/grad.b'));
  });
});

// ---- lr schedulers --------------------------------------------------------------------------------
interface SchedulerConfig {
  scheduler: 'StepLR' | 'ExponentialLR' | 'CosineAnnealingLR' | 'LinearLR' | 'MultiStepLR';
  options: Record<string, unknown>;
}

function makeScheduler(config: SchedulerConfig, optimizer: optim.SGD): optim.LRScheduler {
  const options = config.options;
  switch (config.scheduler) {
    case 'StepLR':
      return new optim.StepLR(optimizer, options as unknown as optim.StepLROptions);
    case 'ExponentialLR':
      return new optim.ExponentialLR(optimizer, options as unknown as optim.ExponentialLROptions);
    case 'CosineAnnealingLR':
      return new optim.CosineAnnealingLR(optimizer, options as unknown as optim.CosineAnnealingLROptions);
    case 'LinearLR':
      return new optim.LinearLR(optimizer, options as optim.LinearLROptions);
    case 'MultiStepLR':
      return new optim.MultiStepLR(optimizer, options as unknown as optim.MultiStepLROptions);
  }
}

describe('lr schedulers match PyTorch over 25 steps (lr_schedulers.safetensors)', () => {
  const { tensors, metadata } = schedulersFixture;
  const configs = JSON.parse(metadata.configs!) as Record<string, SchedulerConfig>;
  const baseLr = JSON.parse(metadata.base_lr!) as number;

  it('covers StepLR, ExponentialLR, CosineAnnealingLR past tMax, LinearLR and MultiStepLR', () => {
    expect(new Set(Object.values(configs).map((c) => c.scheduler))).toEqual(
      new Set(['StepLR', 'ExponentialLR', 'CosineAnnealingLR', 'LinearLR', 'MultiStepLR']),
    );
    const lrs = need(tensors, 'cosine/lrs');
    expect(lrs.size - 1).toBeGreaterThan(2 * (configs.cosine!.options.tMax as number));
  });

  it.each(Object.keys(configs))('%s: the lr after construction and after every step', (name) => {
    const expected = need(tensors, `${name}/lrs`);
    const optimizer = new optim.SGD([tensor([0, 0], { requiresGrad: true })], { lr: baseLr });
    const scheduler = makeScheduler(configs[name]!, optimizer);
    const lrs = [scheduler.getLastLr()[0]!];
    for (let k = 1; k < expected.size; k++) {
      optimizer.step();
      scheduler.step();
      lrs.push(scheduler.getLastLr()[0]!);
      expect(optimizer.paramGroups[0]!.lr).toBe(lrs[k]);
    }
    compare(`lr_scheduler ${name}`, 'lr sequence', tensor(lrs, { dtype: 'float64' }), expected);
  });
});
