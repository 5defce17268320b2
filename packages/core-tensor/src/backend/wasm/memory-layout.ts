/**
 * The layout of the wasm memory, decided here (the kernels allocate nothing):
 *
 *   [0, CONTROL_BYTES)              control slots, one per worker (slot 0 holds the unit counter)
 *   [CONTROL_BYTES, scratchBase)    one WORK_BYTES scratch area per thread (packing buffers)
 *   [scratchBase, …)                operands of the call in flight, grown on demand
 *
 * A control slot is SLOT.words int32 words; indices below.
 */
export const SLOT = {
  /** Bumped by the calling thread to post a job. */
  request: 0,
  /** Set by the worker to the request number it finished. */
  response: 1,
  /** 0 starting, 1 ready, 2 stopped. */
  state: 2,
  /** 1 when the last job threw (a trap). */
  error: 3,
  /** Index into the export list; −1 stops the worker. */
  op: 4,
  /** First of up to 20 i32 arguments. */
  args: 8,
  words: 32,
} as const;

export const SLOT_BYTES = SLOT.words * 4;
/** The shared unit counter of the parallel call in flight (in slot 0, which no worker uses). */
export const COUNTER_ADDRESS = 64;
/** Bytes reserved for control slots at address 0 (room for MAX_THREADS slots). */
export const CONTROL_BYTES = 65536;
/** Upper bound for `setNumThreads`. */
export const MAX_THREADS = 64;
/** Exports a worker may call, by op number. */
export const WORKER_EXPORTS = [
  'gemm',
  'lstmSequenceForwardF32',
  'lstmSequenceBackwardF32',
  'gruSequenceForwardF32',
  'gruSequenceBackwardF32',
  'lstmStepperRowsF32',
] as const;
export type WorkerOp = 0 | 1 | 2 | 3 | 4 | 5;
export const OP_GEMM: WorkerOp = 0;
export const OP_LSTM_SEQUENCE_FORWARD: WorkerOp = 1;
export const OP_LSTM_SEQUENCE_BACKWARD: WorkerOp = 2;
export const OP_GRU_SEQUENCE_FORWARD: WorkerOp = 3;
export const OP_GRU_SEQUENCE_BACKWARD: WorkerOp = 4;
/** A step of an LSTM stepper, its rows shared (assembly/stepper.ts). */
export const OP_LSTM_STEPPER_ROWS: WorkerOp = 5;
