/**
 * Shared by the recurrent packages' PyTorch parity tests (rnn and lstm): reading the cases that
 * test/fixtures/make_fixtures.py wrote, and checking one layer or cell case — strict load of
 * PyTorch's state dict, forward, backward of the fixture's loss, and every value and gradient to
 * |actual − expected| ≤ 1e-6 + 1e-5·|expected| (float32 on both sides).
 *
 * Set TENSORLOOM_PARITY_REPORT=1 to print the largest errors per group after a file's tests.
 */
import { select, stack, tensor, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { expect } from 'vitest';

export const RTOL = 1e-5;
export const ATOL = 1e-6;

/** A layer case of the fixture's `cases` metadata (options under tensorloom's names). */
export interface LayerCase {
  layer: 'RNN' | 'GRU' | 'LSTM';
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers: number;
    bias: boolean;
    batchFirst: boolean;
    bidirectional: boolean;
    nonlinearity?: 'tanh' | 'relu';
    projSize?: number;
  };
  initialState: boolean;
  /** Sequence lengths of a packed case (padding at the end), else null. */
  lengths: number[] | null;
  unbatched: boolean;
  /** PyTorch's `state_dict()` keys, in its order. */
  stateDictKeys: string[];
}

/** A cell case: the cell ran `steps` steps, its state carried from one step to the next. */
export interface CellCase {
  cell: 'RNNCell' | 'GRUCell' | 'LSTMCell';
  options: { inputSize: number; hiddenSize: number; bias: boolean; nonlinearity?: 'tanh' | 'relu' };
  initialState: boolean;
  unbatched: boolean;
  steps: number;
  stateDictKeys: string[];
}

/** What the checks need of a recurrent layer (`RNN`, `GRU`, `LSTM`). */
export interface LayerUnderTest {
  stateDict(): Record<string, Tensor>;
  loadStateDict(state: Readonly<Record<string, Tensor>>, options?: { strict?: boolean }): unknown;
  namedParameters(): Array<[string, Tensor]>;
  forward(
    input: Tensor,
    options?: { state?: Partial<Record<string, Tensor>>; lengths?: readonly number[]; mask?: Tensor },
  ): { output: Tensor; state: Record<string, Tensor> };
}

/** What the checks need of a cell module; `step` adapts its `forward` to a list of state tensors. */
export interface CellUnderTest {
  stateDict(): Record<string, Tensor>;
  loadStateDict(state: Readonly<Record<string, Tensor>>, options?: { strict?: boolean }): unknown;
  namedParameters(): Array<[string, Tensor]>;
}

/** The fixture's names of each state's initial and final tensors. */
const STATE_TENSORS: Record<string, { initial: string; final: string }> = {
  h: { initial: 'h0', final: 'h_n' },
  c: { initial: 'c0', final: 'c_n' },
};

/**
 * Largest errors per group, for TENSORLOOM_PARITY_REPORT: relative (over |expected| ≥ 1e-2),
 * absolute, and the largest share of the allowed error 1e-6 + 1e-5·|expected| that was used.
 */
export class ParityReport {
  private readonly worst = new Map<string, { relative: number; absolute: number; used: number }>();

  /** Asserts closeness (1e-6 + 1e-5·|expected|) and records the largest errors of `group`. */
  compare(group: string, label: string, actual: Tensor | null | undefined, expected: Tensor): void {
    expect(actual, `${group} ${label}: missing`).toBeTruthy();
    expect(actual!.shape, `${group} ${label}: shape`).toEqual(expected.shape);
    expectClose(actual!, expected, { rtol: RTOL, atol: ATOL, message: `${group} ${label}` });
    const stats = this.worst.get(group) ?? { relative: 0, absolute: 0, used: 0 };
    for (let i = 0; i < expected.size; i++) {
      const a = actual!.data[i]!;
      const e = expected.data[i]!;
      const diff = Math.abs(a - e);
      stats.absolute = Math.max(stats.absolute, diff);
      stats.used = Math.max(stats.used, diff / (ATOL + RTOL * Math.abs(e)));
      if (Math.abs(e) >= 1e-2) stats.relative = Math.max(stats.relative, diff / Math.abs(e));
    }
    this.worst.set(group, stats);
  }

  print(): void {
    if (!process.env.TENSORLOOM_PARITY_REPORT) return;
    for (const [group, { relative, absolute, used }] of this.worst) {
      const figures =
        `max rel ${relative.toExponential(2)}  max abs ` + `${absolute.toExponential(2)}  tolerance used ${(100 * used).toFixed(0)}%`;
      console.log(`parity ${group.padEnd(20)} ${figures}`);
    }
  }
}

/** The `cases` metadata entry of a fixture file. */
export function casesOf<C>(metadata: Record<string, string>): Record<string, C> {
  const json = metadata.cases;
  if (json === undefined) throw new Error('fixture has no `cases` metadata');
  return JSON.parse(json) as Record<string, C>;
}

/** `tensors[`${name}/${key}`]`, or an error naming what is missing. */
export function need(tensors: Record<string, Tensor>, name: string, key: string): Tensor {
  const t = tensors[`${name}/${key}`];
  if (!t) throw new Error(`fixture has no tensor '${name}/${key}'`);
  return t;
}

/** A fresh leaf holding a copy of `source`'s values. */
export function leaf(source: Tensor, requiresGrad = true): Tensor {
  return tensor(source.data, { shape: source.shape, dtype: source.dtype, requiresGrad });
}

/** PyTorch's state dict of case `name`, under its own keys. */
export function stateDictOf(tensors: Record<string, Tensor>, name: string, keys: readonly string[]): Record<string, Tensor> {
  return Object.fromEntries(keys.map((key) => [key, need(tensors, name, key)]));
}

/** Loads PyTorch's state dict strictly after checking that the names and their order agree. */
function loadPyTorchState(module: CellUnderTest, tensors: Record<string, Tensor>, name: string, keys: readonly string[]): void {
  expect(Object.keys(module.stateDict()), 'state dict keys, in order').toEqual(keys);
  module.loadStateDict(stateDictOf(tensors, name, keys), { strict: true });
}

/** Compares every parameter's gradient with PyTorch's `grad.<name>`. */
function compareParameterGradients(
  report: ParityReport,
  group: string,
  module: CellUnderTest,
  tensors: Record<string, Tensor>,
  name: string,
  keys: readonly string[],
): void {
  const named = module.namedParameters();
  expect(named.map(([key]) => key)).toEqual(keys);
  for (const [key, parameter] of named) report.compare(group, `grad of ${key}`, parameter.grad, need(tensors, name, `grad.${key}`));
}

/**
 * Case `name` of a layer fixture: strict load, forward with the case's initial states and lengths,
 * output and final states; backward of `Σ output·G.output + Σ h_n·G.h_n (+ Σ c_n·G.c_n)`, then the
 * gradients of every parameter, the input and the initial states.
 */
export function checkLayerCase(
  report: ParityReport,
  group: string,
  layer: LayerUnderTest,
  stateNames: readonly string[],
  tensors: Record<string, Tensor>,
  name: string,
  testCase: LayerCase,
): void {
  loadPyTorchState(layer, tensors, name, testCase.stateDictKeys);
  const x = leaf(need(tensors, name, 'input'));
  const initial: Record<string, Tensor> = {};
  if (testCase.initialState) {
    for (const s of stateNames) initial[s] = leaf(need(tensors, name, STATE_TENSORS[s]!.initial));
  }
  const { output, state } = layer.forward(x, {
    ...(testCase.initialState ? { state: initial } : {}),
    ...(testCase.lengths ? { lengths: testCase.lengths } : {}),
  });
  report.compare(group, `${name} output`, output, need(tensors, name, 'output'));
  let loss = output.mul(need(tensors, name, 'G.output')).sum();
  for (const s of stateNames) {
    const { final } = STATE_TENSORS[s]!;
    report.compare(group, `${name} ${final}`, state[s], need(tensors, name, final));
    loss = loss.add(state[s]!.mul(need(tensors, name, `G.${final}`)).sum());
  }
  loss.backward();
  compareParameterGradients(report, group, layer, tensors, name, testCase.stateDictKeys);
  report.compare(group, `${name} grad of input`, x.grad, need(tensors, name, 'grad.input'));
  for (const s of Object.keys(initial)) {
    const key = STATE_TENSORS[s]!.initial;
    report.compare(group, `${name} grad of ${key}`, initial[s]!.grad, need(tensors, name, `grad.${key}`));
  }
}

/**
 * Case `name` of a cell fixture: strict load, `steps` calls of `step` carrying the state (the
 * first call gets the case's initial state, or undefined), the stacked outputs (and cells for
 * LSTMCell), then the gradients of `Σ output·G.output (+ Σ c·G.c)`.
 *
 * `step(x_t, state)` returns the new state in `stateNames` order.
 */
export function checkCellCase(
  report: ParityReport,
  group: string,
  cell: CellUnderTest,
  step: (x: Tensor, state: Tensor[] | undefined) => Tensor[],
  stateNames: readonly string[],
  tensors: Record<string, Tensor>,
  name: string,
  testCase: CellCase,
): void {
  loadPyTorchState(cell, tensors, name, testCase.stateDictKeys);
  const x = leaf(need(tensors, name, 'input'));
  const initial = testCase.initialState ? stateNames.map((s) => leaf(need(tensors, name, STATE_TENSORS[s]!.initial))) : undefined;
  let state = initial;
  const history: Tensor[][] = stateNames.map(() => []);
  for (let t = 0; t < testCase.steps; t++) {
    state = step(select(x, 0, t), state);
    state.forEach((s, i) => history[i]!.push(s));
  }
  // The fixture keeps h as `output` and c as `c`.
  const stored = stateNames.map((s) => (s === 'h' ? 'output' : s));
  let loss: Tensor | undefined;
  stored.forEach((key, i) => {
    const values = stack(history[i]!, 0);
    report.compare(group, `${name} ${key}`, values, need(tensors, name, key));
    const term = values.mul(need(tensors, name, `G.${key}`)).sum();
    loss = loss ? loss.add(term) : term;
  });
  loss!.backward();
  compareParameterGradients(report, group, cell, tensors, name, testCase.stateDictKeys);
  report.compare(group, `${name} grad of input`, x.grad, need(tensors, name, 'grad.input'));
  initial?.forEach((t, i) => {
    const key = STATE_TENSORS[stateNames[i]!]!.initial;
    report.compare(group, `${name} grad of ${key}`, t.grad, need(tensors, name, `grad.${key}`));
  });
}

/**
 * A packed case run with a validity `mask` (`[B, T]` with batchFirst, else `[T, B]`) built from the
 * case's lengths instead of `lengths`: the same output and final states as PyTorch's packed run.
 */
export function checkLayerMaskCase(
  report: ParityReport,
  group: string,
  layer: LayerUnderTest,
  stateNames: readonly string[],
  tensors: Record<string, Tensor>,
  name: string,
  testCase: LayerCase,
): void {
  const lengths = testCase.lengths;
  if (!lengths) throw new Error(`case ${name} has no lengths`);
  layer.loadStateDict(stateDictOf(tensors, name, testCase.stateDictKeys), { strict: true });
  const input = need(tensors, name, 'input');
  const steps = input.shape[testCase.options.batchFirst ? 1 : 0]!;
  const batch = lengths.length;
  const valid = (b: number, t: number) => (t < lengths[b]! ? 1 : 0);
  const mask = testCase.options.batchFirst
    ? tensor(
        Array.from({ length: batch * steps }, (_, i) => valid(Math.floor(i / steps), i % steps)),
        { shape: [batch, steps] },
      )
    : tensor(
        Array.from({ length: steps * batch }, (_, i) => valid(i % batch, Math.floor(i / batch))),
        { shape: [steps, batch] },
      );
  const initial: Record<string, Tensor> = {};
  if (testCase.initialState) {
    for (const s of stateNames) initial[s] = need(tensors, name, STATE_TENSORS[s]!.initial);
  }
  const { output, state } = layer.forward(input, { ...(testCase.initialState ? { state: initial } : {}), mask });
  report.compare(group, `${name} output (mask)`, output, need(tensors, name, 'output'));
  for (const s of stateNames) {
    const { final } = STATE_TENSORS[s]!;
    report.compare(group, `${name} ${final} (mask)`, state[s], need(tensors, name, final));
  }
}
