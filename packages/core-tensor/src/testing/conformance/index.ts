/**
 * The backend conformance suite: kernel-level checks that any backend must pass, each comparing
 * the backend's output with a plain reference loop written from the kernel contract in
 * `backend/backend.ts` (never with another backend). It has no test-runner dependency: every case
 * is `{ name, family, run(backend) }` and throws `AssertionMismatchError` on a mismatch, so a
 * third-party backend can run it under any runner, with one call.
 *
 * A backend is checked as `registerBackend` would run it: the optional kernels it leaves out are the
 * js ones (`completeBackend`), so every case applies to every backend; `family` and `ownKernels`
 * tell which cases exercise the backend's own code.
 *
 * Inputs are allocated with the backend's own `alloc` (a wasm backend may need its own memory),
 * drawn from fixed seeds, and include NaN, ±Infinity and ±0 wherever the result is defined by IEEE
 * arithmetic. Tolerances: float64 results must agree to ~1e-10 relative, float32 ones to float32
 * precision (a backend may compute in float32); layout kernels (copy, select, gather) must be exact.
 * One file per kernel family lives beside this one.
 *
 * @example
 * for (const c of backendConformance()) it(c.name, () => c.run(myBackend));
 */
import type { BackendKernels } from '../../backend/backend.js';
import { completeBackend } from '../../backend/registry.js';
import { crossEntropyCases } from './cross-entropy.js';
import { allocCases, binaryCases, unaryCases, whereCases } from './elementwise.js';
import { indexingCases } from './indexing.js';
import { copyCases } from './layout.js';
import { matmulCases } from './matmul.js';
import { recurrentCellCases } from './recurrent-cells.js';
import { recurrentSequenceCases } from './recurrent-sequences.js';
import { argReduceCases, reduceCases, softmaxCases } from './reduce.js';
import type { ConformanceCase as FamilyCase } from './shared.js';
import { segmentCases, sparseCases } from './sparse.js';

/** The kernel families of the contract: the core kernels every backend has, and the optional ones. */
export type KernelFamily = 'core' | 'recurrent' | 'loss' | 'sparse';

/** One named check of a backend; `run` throws `AssertionMismatchError` when the backend is wrong. */
export interface ConformanceCase {
  name: string;
  family: KernelFamily;
  run(backend: BackendKernels): void;
}

function family(name: KernelFamily, cases: readonly FamilyCase[]): ConformanceCase[] {
  return cases.map((c) => ({ name: c.name, family: name, run: (backend: BackendKernels) => c.run(completeBackend(backend)) }));
}

/**
 * Every conformance case, in a fixed order: alloc, unary, binary, where, copy, reduce, argReduce,
 * softmax, matmul, indexSelect, indexAdd, gather, scatterAdd (the core kernels); the fused LSTM and
 * GRU cells and sequences (forward, backward); the fused cross-entropy (forward, backward); spmmCsr,
 * sddmmCsr, scatterReduce and segmentSoftmax. Cases are independent and deterministic (each seeds
 * its own generator).
 */
export function backendConformance(): ConformanceCase[] {
  return [
    ...family('core', [
      ...allocCases(),
      ...unaryCases(),
      ...binaryCases(),
      ...whereCases(),
      ...copyCases(),
      ...reduceCases(),
      ...argReduceCases(),
      ...softmaxCases(),
      ...matmulCases(),
      ...indexingCases(),
    ]),
    ...family('recurrent', [...recurrentCellCases(), ...recurrentSequenceCases()]),
    ...family('loss', crossEntropyCases()),
    ...family('sparse', [...sparseCases(), ...segmentCases()]),
  ];
}
