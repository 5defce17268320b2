// `node --expose-gc test/corpus-memory.mjs <file> [lowercase]` reads a corpus file and prepares it
// for training (tokenizer, ids, train/validation split) as the CLI does, then prints one JSON line:
// the file's size, the resident memory before and the peak resident memory (the process's
// high-water mark) after, the typed arrays' bytes and the corpus' figures. Reads the built
// packages (dist), as a user would.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { prepareCorpus, readTextFile } from '@tensorloom/textgen';

const [file, lowercase] = process.argv.slice(2);
globalThis.gc();
const before = process.memoryUsage();
const started = performance.now();
let text = await readTextFile(file);
const characters = text.length;
const corpus = prepareCorpus(text, { seqLength: 30, lowercase: lowercase === 'lowercase' });
text = undefined; // the ids are all that training needs
globalThis.gc();
const after = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({
    bytes: statSync(file).size,
    characters,
    seconds: (performance.now() - started) / 1000,
    rssBefore: before.rss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    rssAfter: after.rss,
    arrayBuffersAfter: after.arrayBuffers - before.arrayBuffers,
    idsType: corpus.dataset.ids.constructor.name,
    idsBytes: corpus.dataset.ids.byteLength,
    sharedBuffer: corpus.train.ids.buffer === corpus.dataset.ids.buffer && corpus.validation?.ids.buffer === corpus.dataset.ids.buffer,
    vocabSize: corpus.tokenizer.vocabSize,
    train: corpus.train.length,
    validation: corpus.validation?.length ?? 0,
  })}\n`,
);
