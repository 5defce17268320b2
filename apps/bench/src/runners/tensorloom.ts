/**
 * tensorloom: GEMM through the active backend's `matmul` kernel (transpose flags, operands in the
 * backend's own storage), the char-LSTM from the public modules: `nn.Embedding` → `LSTM` →
 * `nn.Linear` → `crossEntropy` → `optim.Adam`, GCN / GAT on Cora (tensorloom-gnn.ts), and the
 * forecasting epoch of GConvGRU on chickenpox (tensorloom-forecast.ts), sampling from the textgen model
 * (tensorloom-sample.ts) and GCN on the power-law graphs (tensorloom-scale.ts).
 */
import { createRequire } from 'node:module';
import * as core from '@tensorloom/core-tensor';
import { LSTM } from '@tensorloom/lstm';
import { lcgFloats, tokenBatches, transposeInt } from '../data.js';
import type { ImplConfig } from '../impls.js';
import { timeRuns } from '../measure.js';
import { charsPerStep, gemmFlops, type CharLSTMSpec, type GemmSpec, type WorkloadSpec } from '../workloads.js';
import { UnavailableError, type RunContext, type RunOutput, type Runner } from './runner.js';
import { runTensorloomForecast } from './tensorloom-forecast.js';
import { runTensorloomGnn } from './tensorloom-gnn.js';
import { runTensorloomSample } from './tensorloom-sample.js';
import { runTensorloomScale } from './tensorloom-scale.js';
import { activateTensorloomWasm } from './tensorloom-wasm.js';

const { crossEntropy, nn, optim, tensor } = core;

/** The tensorloom runner (`js` or `wasm` backend). */
export function tensorloomRunner(): Runner {
  let wasm: string | undefined;
  return {
    async prepare(config: ImplConfig): Promise<void> {
      if (config.backend === 'js') {
        core.setBackend('js');
        return;
      }
      try {
        wasm = await activateTensorloomWasm(config.threads);
      } catch (error) {
        throw new UnavailableError(`tensorloom wasm backend: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async run(spec: WorkloadSpec, context: RunContext): Promise<RunOutput> {
      switch (spec.kind) {
        case 'gemm':
          return runGemm(spec, context);
        case 'char-lstm':
          return runCharLstm(spec, context);
        case 'gnn':
          return runTensorloomGnn(spec, context);
        case 'forecast':
          return runTensorloomForecast(spec, context);
        case 'sample':
          return runTensorloomSample(spec, context);
        case 'gnn-scale':
          return runTensorloomScale(spec, context);
      }
    },
    versions(): Record<string, string> {
      const require = createRequire(import.meta.url);
      const version = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;
      const packages = ['@tensorloom/core-tensor', '@tensorloom/lstm', '@tensorloom/gnn', '@tensorloom/graph', '@tensorloom/textgen'];
      return {
        ...Object.fromEntries(packages.map((name) => [name, version(name)])),
        ...(wasm === undefined ? {} : { 'tensorloom wasm': wasm }),
      };
    },
  };
}

async function runGemm(spec: GemmSpec, context: RunContext): Promise<RunOutput> {
  const { m, k, n, transA, transB } = spec;
  const backend = core.getBackend();
  // Operands live in the backend's storage (a wasm backend returns views of its memory), as a
  // tensor's data would.
  const a = backend.alloc('float32', m * k) as Float32Array;
  const b = backend.alloc('float32', k * n) as Float32Array;
  const out = backend.alloc('float32', m * n) as Float32Array;
  a.set(lcgFloats(m * k, 1));
  b.set(lcgFloats(k * n, 2));
  const params: core.MatmulParams = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
  const timing = await timeRuns(() => backend.matmul({ a, b, out, ...params }), context.timing);
  return { value: gemmFlops(spec) / timing.bestSeconds / 1e9, timing };
}

/** The char-LSTM of the bench, built from tensorloom's public modules. */
export class CharLSTMModel extends nn.Module {
  readonly embedding: core.nn.Embedding;
  readonly lstm: LSTM;
  readonly head: core.nn.Linear;

  constructor(spec: CharLSTMSpec) {
    super();
    this.embedding = this.registerModule('embedding', new nn.Embedding({ numEmbeddings: spec.vocab, embeddingDim: spec.embedding }));
    this.lstm = this.registerModule('lstm', new LSTM({ inputSize: spec.embedding, hiddenSize: spec.hidden, numLayers: spec.layers }));
    this.head = this.registerModule('head', new nn.Linear({ inFeatures: spec.hidden, outFeatures: spec.vocab }));
  }

  /** Tokens `[T, B]` → logits `[T·B, vocab]`. */
  forward(tokens: core.Tensor): core.Tensor {
    const [seq, batch] = tokens.shape as [number, number];
    const { output } = this.lstm.forward(this.embedding.forward(tokens));
    return this.head.forward(output.reshape([seq * batch, this.lstm.hiddenSize]));
  }
}

async function runCharLstm(spec: CharLSTMSpec, context: RunContext): Promise<RunOutput> {
  const model = new CharLSTMModel(spec);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  // Time-major [T, B] tokens, the LSTM's default layout; targets in the same order.
  const batches = tokenBatches({ batch: spec.batch, seq: spec.seq, vocab: spec.vocab, count: 4 }).map((batch) => ({
    inputs: tensor(transposeInt(batch.inputs, spec.batch, spec.seq), { dtype: 'int32', shape: [spec.seq, spec.batch] }),
    targets: tensor(transposeInt(batch.targets, spec.batch, spec.seq), { dtype: 'int32', shape: [spec.seq * spec.batch] }),
  }));
  let step = 0;
  let lastLoss = NaN;
  const trainStep = (): void => {
    const batch = batches[step++ % batches.length]!;
    optimizer.zeroGrad();
    const loss = crossEntropy(model.forward(batch.inputs), batch.targets);
    loss.backward();
    optimizer.step();
    lastLoss = loss.item();
  };
  const timing = await timeRuns(trainStep, context.timing, ({ phase, index, seconds }) =>
    context.log(`${phase} step ${index + 1}: ${seconds.toFixed(1)} s (loss ${lastLoss.toFixed(3)})`),
  );
  if (!Number.isFinite(lastLoss)) throw new Error(`char-LSTM loss is ${lastLoss}`);
  return { value: charsPerStep(spec) / timing.bestSeconds, timing };
}
