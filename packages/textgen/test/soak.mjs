// A soak run: `node --expose-gc test/soak.mjs <js|wasm> <steps>` trains the character model for
// <steps> steps on the given backend and prints JSON lines of resident memory (after a full GC)
// every 500 steps. Reads the built packages (dist), as a user would.
import { Generator, registerWasmBackendSync, setBackend, shutdownWasmBackend } from '@tensorloom/core-tensor';
import v8 from 'node:v8';
import { TextGenerationModel, Trainer, prepareCorpus } from '@tensorloom/textgen';

const [backend = 'js', stepsArg = '10000'] = process.argv.slice(2);
const steps = Number(stepsArg);
if (backend === 'wasm') setBackend(registerWasmBackendSync({ threads: 1 }).name);
const text = 'It is a way I have of driving off the spleen and regulating the circulation. '.repeat(40);
const { tokenizer, train } = prepareCorpus(text, { seqLength: 8, validationFraction: 0 });
const model = new TextGenerationModel({
  vocabSize: tokenizer.vocabSize,
  embeddingDim: 8,
  hiddenSize: 16,
  numLayers: 2,
  generator: new Generator(0),
});
const trainer = new Trainer({ model, tokenizer, train, batchSize: 4, lr: 3e-3, maxNorm: 5, seed: 0 });
const sample = (step) => {
  globalThis.gc();
  globalThis.gc();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  process.stdout.write(`${JSON.stringify({ step, rss, heapUsed, heapTotal, external, arrayBuffers, spaces })}\n`);
};
let losses = [];
for (let done = 0; done < steps;) {
  const chunk = Math.min(500, steps - done);
  const result = await trainer.run({ steps: done + chunk });
  done = trainer.step;
  losses.push(trainer.history.train.at(-1).loss);
  // The history keeps one record per step by design (~100 bytes each on the heap, more in resident memory
  // as V8 moves the growing array): a run of millions of steps should drain it like this. The soak
  // measures the training loop itself.
  trainer.history.train.length = 0;
  sample(done);
  if (result.stepsRun === 0) throw new Error('no progress');
}
process.stdout.write(`${JSON.stringify({ done: trainer.step, firstLoss: losses[0], lastLoss: losses.at(-1) })}\n`);
if (backend === 'wasm') await shutdownWasmBackend();
