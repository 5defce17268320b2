import { describe, expect, it } from 'vitest';
import type { Backend, CoreKernels } from '../backend/backend.js';
import { jsBackend, jsCoreKernels } from '../backend/js/index.js';
import { AssertionMismatchError } from './expect-close.js';
import { backendConformance } from './conformance/index.js';

describe('backend conformance: js backend', () => {
  for (const c of backendConformance()) {
    it(c.name, () => c.run(jsBackend));
  }
});

describe('backend conformance: the suite itself', () => {
  it('has uniquely named cases covering every kernel of the interface', () => {
    const cases = backendConformance();
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const kernels = [
      'alloc',
      'unary',
      'binary',
      'where',
      'copy',
      'reduce',
      'argReduce',
      'softmax',
      'matmul',
      'indexSelect',
      'indexAdd',
      'gather',
      'scatterAdd',
      'lstmCellForward',
      'lstmCellBackward',
      'gruCellForward',
      'gruCellBackward',
      'crossEntropyForward',
      'crossEntropyBackward',
      'spmmCsr',
      'sddmmCsr',
      'scatterReduce',
      'segmentSoftmax',
      'lstmSequenceForward',
      'lstmSequenceBackward',
      'gruSequenceForward',
      'gruSequenceBackward',
    ];
    for (const kernel of kernels)
      expect(
        names.some((n) => n.startsWith(`${kernel} `)),
        kernel,
      ).toBe(true);
  });

  it('catches a backend with a wrong kernel, throwing AssertionMismatchError', () => {
    // A matmul that ignores transB, and a softmax that is not stabilised: both must be caught.
    const broken: Backend = {
      ...jsBackend,
      name: 'broken',
      matmul: ({ a, b, out, ...params }) => jsBackend.matmul({ a, b, out, ...params, transB: false }),
      softmax: ({ x, outer, size, inner, out, log }) => {
        jsBackend.softmax({ x, outer, size, inner, out, log });
        out[0] = out[0]! + 0.5;
      },
    };
    const cases = backendConformance();
    const run = (prefix: string): unknown => {
      for (const c of cases.filter((x) => x.name.startsWith(prefix))) {
        try {
          c.run(broken);
        } catch (error) {
          return error;
        }
      }
      return null;
    };
    expect(run('matmul NT')).toBeInstanceOf(AssertionMismatchError);
    expect(run('softmax')).toBeInstanceOf(AssertionMismatchError);
    expect(run('matmul NN')).toBeNull();
  });
});

describe('backend conformance: a backend with only the core kernels', () => {
  it('runs the whole suite with one call: the optional kernels it leaves out are the js ones', () => {
    const coreOnly: CoreKernels = { ...jsCoreKernels, name: 'core-only' };
    const cases = backendConformance();
    for (const c of cases) c.run(coreOnly);
    const families = new Map<string, number>();
    for (const c of cases) families.set(c.family, (families.get(c.family) ?? 0) + 1);
    expect([...families.keys()]).toEqual(['core', 'recurrent', 'loss', 'sparse']);
    expect(cases.filter((c) => c.family === 'loss').every((c) => c.name.startsWith('crossEntropy'))).toBe(true);
  });
});
