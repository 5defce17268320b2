/**
 * brain.js: `brain.recurrent.LSTM` trains one sequence at a time (`trainPattern`), with its own
 * input matrix as the embedding (`inputRange` rows of `inputSize`), the LSTM (`hiddenLayers`) and an
 * output layer over the vocabulary, and its RMSprop-style update (it has no Adam). One timed run
 * trains the batch's rows one after the other, so chars/s counts the same batch·seq characters as
 * the other implementations.
 */
import { createRequire } from 'node:module';
import { tokenBatches } from '../data.js';
import type { ImplConfig } from '../impls.js';
import { timeRuns } from '../measure.js';
import { charsPerStep, type WorkloadSpec } from '../workloads.js';
import { UnavailableError, type RunContext, type RunOutput, type Runner } from './runner.js';

interface BrainLSTM {
  initialize(): void;
  trainPattern(input: number[], logErrorRate?: boolean): number | undefined;
}
interface Brain {
  recurrent: { LSTM: new (options: Record<string, unknown>) => BrainLSTM };
}

/** The brain.js runner (char-LSTM only). */
export function brainjsRunner(): Runner {
  let brain: Brain | undefined;
  let version = 'unknown';
  return {
    async prepare(_config: ImplConfig): Promise<void> {
      const require = createRequire(import.meta.url);
      try {
        brain = require('brain.js') as Brain;
        version = (require('brain.js/package.json') as { version: string }).version;
      } catch (error) {
        throw new UnavailableError(`brain.js does not load: ${String(error)}`);
      }
    },
    async run(spec: WorkloadSpec, context: RunContext): Promise<RunOutput> {
      if (!brain) throw new Error('brainjsRunner.run before prepare');
      if (spec.kind !== 'char-lstm') throw new UnavailableError(`brain.js has no ${spec.kind} workload`);
      const net = new brain.recurrent.LSTM({
        inputSize: spec.embedding,
        inputRange: spec.vocab,
        hiddenLayers: Array.from({ length: spec.layers }, () => spec.hidden),
        outputSize: spec.vocab,
        learningRate: 1e-3,
      });
      net.initialize();
      const rows = tokenBatches({ batch: spec.batch, seq: spec.seq, vocab: spec.vocab, count: 1 })[0]!;
      const sequences = Array.from({ length: spec.batch }, (_, b) => Array.from(rows.inputs.subarray(b * spec.seq, (b + 1) * spec.seq)));
      let lastError = NaN;
      const trainBatch = (): void => {
        for (const sequence of sequences) lastError = net.trainPattern(sequence, true) ?? NaN;
      };
      const timing = await timeRuns(trainBatch, context.timing, ({ phase, index, seconds }) =>
        context.log(`${phase} batch ${index + 1}: ${seconds.toFixed(1)} s`),
      );
      if (!Number.isFinite(lastError)) throw new Error(`brain.js error is ${lastError}`);
      return { value: charsPerStep(spec) / timing.bestSeconds, timing, note: 'one sequence at a time, RMSprop (no Adam)' };
    },
    versions(): Record<string, string> {
      return { 'brain.js': version };
    },
  };
}
