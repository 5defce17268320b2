// Property tests of the Planetoid folder loader: valid folders load exactly; a folder with one file
// mutated, made binary, or missing ends in a sound dataset or a typed error, never a crash, a hang
// or an allocation sized by a file's claims (maxBytes keeps every case small). 900 generated cases.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { BinaryInputError } from '../errors.js';
import { failure, expectSoundDataset, mutationArbitrary, mutate, outcome, runs, describeFuzz } from '../io/fuzz-support.js';
import { loadPlanetoid, type LoadPlanetoidOptions } from './planetoid-folder.js';

const FILES = ['edges.csv', 'labels.csv', 'split.json', 'features.csv', 'meta.json'] as const;
type FileName = (typeof FILES)[number];

// Memory-backed where there is one: each case writes up to five files.
const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tensorloom-planetoid-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the files given (text or bytes) and removes the others. */
function writeFolder(files: Partial<Record<FileName, string | Uint8Array>>): string {
  for (const name of FILES) {
    const content = files[name];
    if (content === undefined) rmSync(join(dir, name), { force: true });
    else writeFileSync(join(dir, name), content);
  }
  return dir;
}

const folder = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 15 }),
    labels: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: n, maxLength: n }),
    parts: fc.array(fc.constantFrom('train', 'val', 'test', null), { minLength: n, maxLength: n }),
    features: fc.option(
      fc.uniqueArray(
        fc.tuple(
          fc.nat(n - 1),
          fc.nat(4),
          fc.double({ min: -10, max: 10, noNaN: true }).map((v) => v + 0),
        ),
        {
          maxLength: 12,
          selector: ([node, feature]) => `${node},${feature}`,
        },
      ),
    ),
    meta: fc.option(fc.record({ name: fc.string({ maxLength: 8 }) })),
  }),
);
type Folder = typeof folder extends fc.Arbitrary<infer T> ? T : never;

function filesOf(spec: Folder): Record<FileName, string | undefined> {
  const split = { train: [] as number[], val: [] as number[], test: [] as number[] };
  spec.parts.forEach((part, node) => part !== null && split[part].push(node));
  return {
    'edges.csv': `source,target\n${spec.edges.map(([s, t]) => `${s},${t}\n`).join('')}`,
    'labels.csv': `node,label\n${spec.labels.map((label, node) => `${node},${label}\n`).join('')}`,
    'split.json': JSON.stringify(split),
    'features.csv': spec.features === null ? undefined : `node,feature,value\n${spec.features.map((f) => `${f.join(',')}\n`).join('')}`,
    'meta.json': spec.meta === null ? undefined : JSON.stringify({ name: spec.meta.name, numNodes: spec.n, numFeatures: 5, numClasses: 4 }),
  };
}

const quiet: LoadPlanetoidOptions = { onNotice: () => {}, numRandomFeatures: 3, maxBytes: 2 ** 20 };
const TOKENS = [',', '\n', '-1', '"', '{', '}', '[', ']', 'null', '"train"', '1e12', '999999', '\r\n', 'node,label'];

describeFuzz('loadPlanetoid under generated folders', () => {
  it('loads every valid folder exactly', () => {
    fc.assert(
      fc.property(folder, (spec) => {
        const data = loadPlanetoid(writeFolder(filesOf(spec)), quiet);
        expectSoundDataset(data);
        expect(data.numNodes).toBe(spec.n);
        expect([...data.y.data]).toEqual(spec.labels);
        expect(data.numClasses).toBe(spec.meta === null ? Math.max(-1, ...spec.labels) + 1 : 4);
        const rows = (part: string) => spec.parts.flatMap((p, node) => (p === part ? [node] : []));
        expect([[...data.trainIndex.data], [...data.valIndex.data], [...data.testIndex.data]]).toEqual([
          rows('train'),
          rows('val'),
          rows('test'),
        ]);
        if (spec.features !== null) {
          const width = spec.meta === null ? Math.max(-1, ...spec.features.map((f) => f[1])) + 1 : 5;
          expect(data.x.shape).toEqual([spec.n, width]);
          for (const [node, feature, value] of spec.features) expect(data.x.data[node * width + feature]).toBe(Math.fround(value));
        }
      }),
      runs(120),
    );
  });

  it('ends a folder with a mutated or missing file in a sound dataset or a typed error', () => {
    const mutation = fc.record({
      file: fc.constantFrom(...FILES),
      edits: fc.array(mutationArbitrary(TOKENS), { minLength: 1, maxLength: 3 }),
      drop: fc.boolean(),
    });
    const features = fc.constantFrom(undefined, 'identity' as const, 'random' as const, 'file' as const);
    fc.assert(
      fc.property(folder, mutation, features, (spec, { file, edits, drop }, kind) => {
        const files = filesOf(spec);
        const original = files[file];
        files[file] = drop && edits.length === 1 ? undefined : edits.reduce(mutate, original ?? '');
        const result = outcome(() => loadPlanetoid(writeFolder(files), { ...quiet, ...(kind === undefined ? {} : { features: kind }) }));
        if (result.ok) expectSoundDataset(result.value);
      }),
      runs(680),
    );
  });

  it('refuses a file that is binary, naming it', () => {
    const target = fc.constantFrom('edges.csv', 'labels.csv', 'split.json') satisfies fc.Arbitrary<FileName>;
    fc.assert(
      fc.property(folder, target, fc.nat(), fc.constantFrom(0x00, 0xff, 0xc0), (spec, file, at, bad) => {
        const files: Partial<Record<FileName, string | Uint8Array>> = filesOf(spec);
        const bytes = new TextEncoder().encode(files[file] as string);
        const position = at % (bytes.length + 1);
        files[file] = new Uint8Array([...bytes.subarray(0, position), bad, ...bytes.subarray(position)]);
        const error = failure(outcome(() => loadPlanetoid(writeFolder(files), quiet))) as BinaryInputError;
        expect(error).toBeInstanceOf(BinaryInputError);
        expect([error.file, error.offset]).toEqual([join(dir, file), position]);
      }),
      runs(100),
    );
  });
});
