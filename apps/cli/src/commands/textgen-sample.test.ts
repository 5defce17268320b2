import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import { CharTokenizer, TextGenerationModel, saveCheckpoint } from '@tensorloom/textgen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { describeSampling, samplingFromFlags, textgenSampleCommand } from './textgen-sample.js';
import { capture } from '../test-support.js';

let root: string;
let checkpoint: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'textgen-sample-'));
  // An untrained model is enough: sampling only needs weights and a vocabulary.
  const tokenizer = CharTokenizer.fromText('the quick brown fox jumps over a lazy dog. THE END\n');
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: 8,
    hiddenSize: 16,
    numLayers: 1,
    generator: new Generator(1),
  });
  checkpoint = join(root, 'run', 'latest');
  await saveCheckpoint(checkpoint, { model, tokenizer, step: 42 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sample = async (args: string[]) => {
  const c = capture();
  const code = await runCli(['textgen', 'sample', '--checkpoint', checkpoint, ...args], [textgenSampleCommand], c.io);
  return { code, ...c };
};

describe('tensorloom textgen sample', () => {
  it('completes a prompt with the requested number of characters and reports it as JSON', async () => {
    const r = await sample(['--prompt', 'the fox', '--length', '25', '--strategy', 'greedy', '--json']);
    expect(r.code).toBe(0);
    const result = r.json();
    expect(result).toMatchObject({ checkpoint, step: 42, strategy: 'greedy', length: 25, seed: 0 });
    expect(result.samples).toHaveLength(1);
    const [s] = result.samples;
    expect(s.prompt).toBe('the fox');
    expect([...s.completion]).toHaveLength(25);
    expect(s.text).toBe(`the fox${s.completion}`);
    expect(s.logProb).toBeLessThan(0);
  });

  it('finds the checkpoint inside a run folder, and prints each text for people', async () => {
    const c = capture();
    expect(
      await runCli(
        ['textgen', 'sample', '--checkpoint', join(root, 'run'), '--count', '2', '--length', '10'],
        [textgenSampleCommand],
        c.io,
      ),
    ).toBe(0);
    const texts = c.stdout().trimEnd().split('\n\n');
    expect(texts).toHaveLength(2);
    expect(c.stderr()).toContain('temperature 1');
  });

  it('repeats its text for a seed, and streams exactly the text it would print', async () => {
    const a = await sample(['--seed', '7', '--length', '40', '--count', '2', '--json']);
    const b = await sample(['--seed', '7', '--length', '40', '--count', '2', '--json']);
    const streamed = await sample(['--seed', '7', '--length', '40', '--count', '2', '--stream']);
    expect(a.json().samples).toEqual(b.json().samples);
    const texts = a.json().samples.map((s: { text: string }) => s.text);
    expect(streamed.stdout()).toBe(`${texts[0]}\n\n${texts[1]}\n`);
  });

  it("takes the temperature in both conventions: --temperature 0.5 is the sheet's --inverse-temperature 2", async () => {
    const divide = await sample(['--prompt', 'a', '--temperature', '0.5', '--seed', '3', '--json']);
    const multiply = await sample(['--prompt', 'a', '--inverse-temperature', '2', '--seed', '3', '--json']);
    expect(multiply.json().samples[0].text).toBe(divide.json().samples[0].text);
    expect(divide.json()).toMatchObject({ strategy: 'temperature', temperature: 0.5 });
    expect(multiply.json()).toMatchObject({ strategy: 'temperature', inverseTemperature: 2 });
    const flat = await sample(['--prompt', 'a', '--temperature', '2', '--seed', '3', '--json']);
    expect(flat.json().samples[0].text).not.toBe(divide.json().samples[0].text);
  });

  it('top-k with k = 1 and top-p with a tiny p are greedy', async () => {
    const greedy = (await sample(['--prompt', 'the ', '--strategy', 'greedy', '--json'])).json().samples[0].text;
    expect((await sample(['--prompt', 'the ', '--strategy', 'top-k', '--k', '1', '--seed', '5', '--json'])).json().samples[0].text).toBe(
      greedy,
    );
    expect((await sample(['--prompt', 'the ', '--strategy', 'top-p', '--p', '1e-9', '--seed', '5', '--json'])).json().samples[0].text).toBe(
      greedy,
    );
  });

  it('beam search returns the best --count beams, most likely first', async () => {
    const r = await sample(['--prompt', 'the', '--strategy', 'beam', '--beam-width', '4', '--count', '3', '--length', '12', '--json']);
    expect(r.code).toBe(0);
    const result = r.json();
    expect(result).toMatchObject({ strategy: 'beam', beamWidth: 4 });
    const logProbs = result.samples.map((s: { logProb: number }) => s.logProb);
    expect(logProbs).toHaveLength(3);
    expect([...logProbs].sort((x, y) => y - x)).toEqual(logProbs);
    const greedy = (await sample(['--prompt', 'the', '--strategy', 'greedy', '--length', '12', '--json'])).json().samples[0];
    // Greedy generation runs on the model's stepper, beam search on model.step: two float32 paths whose
    // logits differ in rounding (~1e-7), so a beam equal to the greedy text may score a few 1e-8 lower.
    expect(logProbs[0]).toBeGreaterThanOrEqual(greedy.logProb - 1e-5);
  });

  it('exits 2 naming the flag on bad usage', async () => {
    const cases: [string[], string][] = [
      [['--strategy', 'nucleus'], '--strategy'],
      [['--temperature', '0.5', '--inverse-temperature', '2'], '--inverse-temperature'],
      [['--strategy', 'greedy', '--temperature', '0.5'], '--temperature'],
      [['--strategy', 'temperature', '--k', '3'], '--k'],
      [['--strategy', 'top-p', '--p', '1.5'], '--p'],
      [['--strategy', 'beam', '--stream'], '--stream'],
      [['--strategy', 'beam', '--beam-width', '2', '--count', '3'], '--count'],
      [['--stream', '--json'], '--stream'],
      [['--prompt', 'the fox ß'], '--prompt'],
      [['--length', '0'], '--length'],
    ];
    for (const [args, flag] of cases) {
      const r = await sample(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr()).toContain(flag);
      expect(r.stderr().trimEnd().split('\n')).toHaveLength(1);
    }
    const c = capture();
    expect(await runCli(['textgen', 'sample', '--checkpoint', join(root, 'nothing-here')], [textgenSampleCommand], c.io)).toBe(2);
    expect(c.stderr()).toContain('--checkpoint');
    expect(await runCli(['textgen', 'sample'], [textgenSampleCommand], capture().io)).toBe(2);
  });

  it('names the character and the flag when the prompt leaves the vocabulary', async () => {
    const r = await sample(['--prompt', 'the fox ß']);
    expect(r.stderr()).toContain("'ß' (U+00DF) at offset 8");
  });
});

describe('samplingFromFlags and describeSampling', () => {
  it('builds the library strategy and names both temperature conventions', () => {
    const t = samplingFromFlags({ strategy: 'top-k', k: '5', 'inverse-temperature': '2' });
    expect(t.sampling).toEqual({ strategy: 'top-k', k: 5, inverseTemperature: 2 });
    expect(describeSampling(t.name, t.sampling, t.beamWidth)).toBe(
      "top-k 5, inverse temperature 2 (softmax(2·logits), the sheet's τ; temperature 0.5)",
    );
    const d = samplingFromFlags({ temperature: '0.25' });
    expect(d.sampling).toEqual({ strategy: 'temperature', temperature: 0.25 });
    expect(describeSampling(d.name, d.sampling, d.beamWidth)).toBe('temperature 0.25 (softmax(logits/0.25); inverse temperature 4)');
  });
});
