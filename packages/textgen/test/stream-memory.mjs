// `node --expose-gc test/stream-memory.mjs <characters>` generates <characters> characters with
// `startGeneration` (the loop behind `generate`, `streamGenerate` and the CLI) from a tiny bigram
// model and counts them without keeping them, printing one JSON line: the resident memory and heap
// after a full GC once warmed up (100,000 characters) and their highest value after a GC every
// 100,000 characters since, the count, and the first 1,000 characters (to compare with `generate`).
// The model is a hand-written bigram table behind the model's interface: the real LSTM takes ~40 µs
// a step, too slow for millions of steps in a test, and memory growth would come from the loop.
// Reads the built packages (dist), as a user would.
import { Generator, Tensor } from '@tensorloom/core-tensor';
import { CharTokenizer, startGeneration } from '@tensorloom/textgen';

const total = Number(process.argv[2] ?? '2000000');
const tokenizer = CharTokenizer.fromText('abcdefgh ijklmnop\n');
const vocabSize = tokenizer.vocabSize;
// logits[k][j]: after character k, a preference for j = k + 1 and a little for everything else.
const table = Float32Array.from({ length: vocabSize * vocabSize }, (_, i) =>
  (Math.floor(i / vocabSize) + 1) % vocabSize === i % vocabSize ? 2 : (i % 7) / 7,
);
const row = (id) => table.subarray(id * vocabSize, (id + 1) * vocabSize);
const model = {
  vocabSize,
  training: false,
  eval() {
    this.training = false;
    return this;
  },
  train() {
    this.training = true;
    return this;
  },
  namedParameters: () => [][Symbol.iterator](),
  forward(tokens) {
    const t = tokens.shape[1];
    const logits = Tensor.empty([1, t, vocabSize], 'float32');
    for (let s = 0; s < t; s++) logits.data.set(row(tokens.data[s]), s * vocabSize);
    return { logits, state: { h: Tensor.empty([1, 1, 4], 'float32'), c: Tensor.empty([1, 1, 4], 'float32') } };
  },
  step(tokens, state) {
    return { logits: new Tensor(row(tokens.data[0]), [1, vocabSize], 'float32'), state };
  },
};

const options = { prompt: 'a', length: total, sampling: { strategy: 'temperature', temperature: 1 } };
const measure = () => {
  globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};
const { steps } = startGeneration(model, tokenizer, { ...options, generator: new Generator(3) });
let count = 0;
let first = '';
let warm;
let peak = { rss: 0, heapUsed: 0 };
for (const { char } of steps) {
  if (count < 1000) first += char;
  count++;
  if (count % 100_000 === 0) {
    const now = measure();
    if (warm === undefined) warm = now;
    else peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
  }
}
const { steps: again } = startGeneration(model, tokenizer, { ...options, length: 1000, generator: new Generator(3) });
const expected = Array.from(again, (t) => t.char).join('');
process.stdout.write(`${JSON.stringify({ count, warm, peak, first, expected })}\n`);
