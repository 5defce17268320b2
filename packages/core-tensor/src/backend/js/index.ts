import type { Backend, CoreKernels } from '../backend.js';
import { newArray } from '../../dtype.js';
import { binary, unary, where } from './elementwise.js';
import { copy } from './layout.js';
import { argReduce, reduce, softmax } from './reduce.js';
import { matmul } from './matmul.js';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing.js';
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from './recurrent.js';
import { crossEntropyBackward, crossEntropyForward } from './cross-entropy.js';
import { gruSequenceBackward, gruSequenceForward, lstmSequenceBackward, lstmSequenceForward } from './sequence.js';
import { scatterReduce, sddmmCsr, segmentSoftmax, segmentSoftmaxBackward, spmmCsr } from './sparse.js';
import { activationBackward } from './activation.js';
import { createLstmStepper } from './stepper.js';

/**
 * The js backend's core kernels alone: what another backend can take for the core kernels it does
 * not speed up (the wasm backend does), and a minimal backend for tests.
 */
export const jsCoreKernels: CoreKernels = Object.freeze({
  name: 'js',
  alloc: newArray,
  unary,
  binary,
  where,
  copy,
  reduce,
  argReduce,
  softmax,
  matmul,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
});

/**
 * The pure-TypeScript reference backend. It runs everywhere and is the yardstick the conformance
 * suite holds every other backend to.
 */
export const jsBackend: Backend = {
  ...jsCoreKernels,
  lstmCellForward,
  lstmCellBackward,
  gruCellForward,
  gruCellBackward,
  lstmSequenceForward,
  lstmSequenceBackward,
  gruSequenceForward,
  gruSequenceBackward,
  crossEntropyForward,
  crossEntropyBackward,
  spmmCsr,
  sddmmCsr,
  scatterReduce,
  segmentSoftmax,
  segmentSoftmaxBackward,
  activationBackward,
  createLstmStepper,
};
