import type { Backend } from '../backend.js';
import { newArray } from '../../dtype.js';
import { binary, unary, where } from './elementwise.js';
import { copy } from './layout.js';
import { argReduce, reduce, softmax } from './reduce.js';
import { matmul } from './matmul.js';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing.js';
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from './recurrent.js';
import { crossEntropyBackward, crossEntropyForward } from './cross-entropy.js';
import { gruSequenceBackward, gruSequenceForward, lstmSequenceBackward, lstmSequenceForward } from './sequence.js';
import { scatterReduce, sddmmCsr, segmentSoftmax, spmmCsr } from './sparse.js';

/**
 * The pure-TypeScript reference backend. It runs everywhere and is the yardstick the conformance
 * suite holds every other backend to.
 */
export const jsBackend: Backend = {
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
};
