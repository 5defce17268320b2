/**
 * TensorFlow.js (`@tensorflow/tfjs` cpu backend and `@tensorflow/tfjs-backend-wasm`): GEMM with
 * `tf.matMul(a, b, transposeA, transposeB)`, and the char-LSTM from `tf.layers` (embedding, stacked
 * `lstm` with `returnSequences`, dense) trained with `tf.losses.softmaxCrossEntropy` and
 * `tf.train.adam` through `optimizer.minimize`; GCN and GAT on Cora with `tf.gather` and
 * `tf.unsortedSegmentSum` (tfjs-gnn.ts).
 *
 * The wasm backend runs its single-threaded SIMD build: the threaded build spawns its workers from
 * a Blob URL, which Node's worker_threads refuses (ERR_WORKER_PATH), so TF.js wasm has one thread
 * in Node.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lcgFloats, tokenBatches } from '../data.js';
import type { ImplConfig } from '../impls.js';
import { timeRuns } from '../measure.js';
import { charsPerStep, gemmFlops, type CharLSTMSpec, type GemmSpec, type WorkloadSpec } from '../workloads.js';
import { UnavailableError, type RunContext, type RunOutput, type Runner } from './runner.js';
import { runTfjsGnn } from './tfjs-gnn.js';

type Tf = typeof import('@tensorflow/tfjs');
type TfTensor = import('@tensorflow/tfjs').Tensor;

/** The TF.js runner (`cpu` or `wasm` backend). */
export function tfjsRunner(): Runner {
  let tf: Tf | undefined;
  const versions: Record<string, string> = {};
  return {
    async prepare(config: ImplConfig): Promise<void> {
      try {
        tf = await import('@tensorflow/tfjs');
      } catch (error) {
        throw new UnavailableError(`@tensorflow/tfjs does not load: ${String(error)}`);
      }
      // Production mode: no per-op correctness checks (what a speed-minded user sets; it also
      // keeps TF.js's "install tfjs-node" greeting off the progress output).
      tf.enableProdMode();
      versions['@tensorflow/tfjs'] = tf.version.tfjs;
      if (config.backend === 'wasm') {
        let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
        try {
          wasm = await import('@tensorflow/tfjs-backend-wasm');
        } catch (error) {
          throw new UnavailableError(`@tensorflow/tfjs-backend-wasm does not load: ${String(error)}`);
        }
        versions['@tensorflow/tfjs-backend-wasm'] = wasm.version_wasm;
        // Point the backend at its .wasm files in node_modules (a file URL prefix ending in '/').
        const require = createRequire(import.meta.url);
        const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
        wasm.setWasmPaths(pathToFileURL(path.dirname(wasmFile)).pathname + '/');
      }
      const ok = await tf.setBackend(config.backend);
      await tf.ready();
      if (!ok || tf.getBackend() !== config.backend)
        throw new UnavailableError(`TF.js backend '${config.backend}' does not initialise here`);
      if (config.backend === 'wasm' && !tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) versions['tfjs-wasm build'] = 'no SIMD';
    },
    async run(spec: WorkloadSpec, context: RunContext): Promise<RunOutput> {
      if (!tf) throw new Error('tfjsRunner.run before prepare');
      switch (spec.kind) {
        case 'gemm':
          return runGemm(tf, spec, context);
        case 'char-lstm':
          return runCharLstm(tf, spec, context);
        case 'gnn':
          return runTfjsGnn(tf, spec, context);
        case 'forecast':
          throw new UnavailableError('TF.js has no recurrent graph cells');
        case 'sample':
        case 'gnn-scale':
          throw new UnavailableError(`the bench has no TF.js ${spec.kind} workload`);
      }
    },
    versions(): Record<string, string> {
      return versions;
    },
  };
}

async function runGemm(tf: Tf, spec: GemmSpec, context: RunContext): Promise<RunOutput> {
  const { m, k, n, transA, transB } = spec;
  const a = tf.tensor2d(lcgFloats(m * k, 1), transA ? [k, m] : [m, k]);
  const b = tf.tensor2d(lcgFloats(k * n, 2), transB ? [n, k] : [k, n]);
  // Both backends run kernels synchronously, so the product is done when matMul returns; read it
  // once to be sure it is computed at all.
  const first = tf.matMul(a, b, transA, transB);
  first.dataSync();
  first.dispose();
  const timing = await timeRuns(() => tf.matMul(a, b, transA, transB).dispose(), context.timing);
  return { value: gemmFlops(spec) / timing.bestSeconds / 1e9, timing };
}

async function runCharLstm(tf: Tf, spec: CharLSTMSpec, context: RunContext): Promise<RunOutput> {
  const { vocab, batch, seq, hidden } = spec;
  // TF.js wasm has no UnsortedSegmentSum kernel, which the gradient of the embedding's gather
  // needs: there the embedding is the same map written as one-hot · W (a bias-free dense layer).
  const oneHotEmbedding = tf.getBackend() === 'wasm';
  const embedding = oneHotEmbedding
    ? tf.layers.dense({ units: spec.embedding, useBias: false })
    : tf.layers.embedding({ inputDim: vocab, outputDim: spec.embedding });
  // glorotUniform, not the default orthogonal recurrent init: TF.js's QR of a 1024×4096 matrix
  // alone takes minutes, and the init has no bearing on the speed of a step.
  const lstms = Array.from({ length: spec.layers }, () =>
    tf.layers.lstm({ units: hidden, returnSequences: true, recurrentInitializer: 'glorotUniform' }),
  );
  const head = tf.layers.dense({ units: vocab });
  const optimizer = tf.train.adam(1e-3);
  // TF.js has no sparse softmax cross-entropy: the one-hot targets are made once, outside the step.
  const batches = tokenBatches({ batch, seq, vocab, count: 4 }).map((b) => ({
    inputs: oneHotEmbedding
      ? tf.tidy(() => tf.oneHot(tf.tensor2d(b.inputs, [batch, seq], 'int32'), vocab).toFloat())
      : tf.tensor2d(b.inputs, [batch, seq], 'int32'),
    labels: tf.tidy(() => tf.oneHot(tf.tensor1d(b.targets, 'int32'), vocab).toFloat()),
  }));
  const lossOf = (b: (typeof batches)[number]): import('@tensorflow/tfjs').Scalar => {
    let h = embedding.apply(b.inputs) as TfTensor;
    for (const lstm of lstms) h = lstm.apply(h) as TfTensor;
    const logits = head.apply(h.reshape([batch * seq, hidden])) as TfTensor;
    return tf.losses.softmaxCrossEntropy(b.labels, logits) as import('@tensorflow/tfjs').Scalar;
  };
  // One forward pass outside minimize builds the layers' weights: minimize collects the variables
  // that exist before it calls the loss function.
  tf.tidy(() => lossOf(batches[0]!));
  let step = 0;
  let lastLoss = NaN;
  const trainStep = (): void => {
    const b = batches[step++ % batches.length]!;
    // minimize runs the loss inside its own tidy and keeps only the returned cost.
    let loss: import('@tensorflow/tfjs').Scalar | null;
    try {
      loss = optimizer.minimize(() => lossOf(b), true);
    } catch (error) {
      // The wasm backend aborts when its heap (at most 4 GiB) is full: say how much TF.js held.
      const memory = tf.memory();
      const held = `TF.js held ${(memory.numBytes / 2 ** 30).toFixed(2)} GiB in ${memory.numTensors} tensors`;
      throw new Error(`${error instanceof Error ? error.message.split('\n')[0] : String(error)} (${held})`, { cause: error });
    }
    lastLoss = loss ? loss.dataSync()[0]! : NaN;
    loss?.dispose();
  };
  const timing = await timeRuns(trainStep, context.timing, ({ phase, index, seconds }) =>
    context.log(`${phase} step ${index + 1}: ${seconds.toFixed(1)} s (loss ${lastLoss.toFixed(3)})`),
  );
  if (!Number.isFinite(lastLoss)) throw new Error(`char-LSTM loss is ${lastLoss}`);
  const note = oneHotEmbedding ? 'embedding as one-hot · W (no UnsortedSegmentSum kernel on wasm)' : undefined;
  return { value: charsPerStep(spec) / timing.bestSeconds, timing, ...(note === undefined ? {} : { note }) };
}
