import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { karateClub, seedGraph, writeGexf, writeGraphml } from '@tensorloom/graph';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { componentSizes, formatMatrix, graphCommands, graphSummary, readGraphFile } from './graph.js';
import { capture, tempDirs } from '../test-support.js';

const tempDir = tempDirs('graph-cli-');

async function run(args: string[]) {
  const c = capture();
  const code = await runCli(args, graphCommands, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

async function runJson(args: string[]) {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

// The course's Ã, rows and columns A..F.
const COURSE_A_TILDE = [
  [1, 1, 0, 0, 1, 1],
  [1, 1, 0, 1, 0, 0],
  [0, 0, 1, 1, 0, 0],
  [0, 1, 1, 1, 0, 1],
  [1, 0, 0, 0, 1, 0],
  [1, 0, 0, 1, 0, 1],
];

describe('tensorloom graph info', () => {
  it('describes the seed graph by default: 6 nodes, 6 edges, degrees 1–3, one component', async () => {
    const result = await runJson(['graph', 'info']);
    expect(result).toMatchObject({
      graph: 'seed',
      nodes: 6,
      edges: 6,
      type: 'undirected',
      multi: false,
      degree: { min: 1, mean: 2, max: 3 },
      isolatedNodes: 0,
      selfLoops: 0,
      components: 1,
      largestComponent: 6,
    });
    expect(result.matrices).toBeUndefined();
    const human = await run(['graph', 'info', '--example', 'seed']);
    expect(human.stdout).toContain('seed: 6 nodes, 6 edges, undirected');
    expect(human.stdout).toContain('degree: min 1, mean 2.00, max 3');
  });

  it("prints the course's A, Ã, D̃ and Â with --matrices", async () => {
    const result = await runJson(['graph', 'info', '--matrices']);
    const { order, A, Atilde, Dtilde, Ahat } = result.matrices;
    expect(order).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(Atilde).toEqual(COURSE_A_TILDE);
    expect(A).toEqual(COURSE_A_TILDE.map((row, i) => row.map((v, j) => (i === j ? 0 : v))));
    expect(Dtilde.map((row: number[], i: number) => row[i])).toEqual([4, 3, 2, 4, 2, 3]);
    // Â_CD = 1/√(d̃_C d̃_D) = 1/√8; Â_CC = 1/2.
    expect(Ahat[2][3]).toBeCloseTo(1 / Math.sqrt(8), 6);
    expect(Ahat[2][2]).toBeCloseTo(0.5, 6);
    const human = await run(['graph', 'info', '--matrices']);
    expect(human.stdout).toContain('Ã = A + I:');
    expect(human.stdout).toContain('  D 0 1 1 1 0 1');
    expect(human.stdout).toMatch(/ {2}C +0 +0 +0\.5 +0\.354 +0 +0/);
  });

  it('counts isolated nodes, self-loops and components of an edge-list file', async () => {
    const dir = tempDir();
    const file = join(dir, 'graph.txt');
    writeFileSync(file, '# two components, a lone node and a node with only a loop\na b\nb c\nx\nd d\n');
    const result = await runJson(['graph', 'info', '--file', file]);
    expect(result).toMatchObject({ graph: file, nodes: 5, edges: 3, isolatedNodes: 2, selfLoops: 1, components: 3, largestComponent: 3 });
    const directed = await runJson(['graph', 'info', '--file', file, '--directed']);
    expect(directed.type).toBe('directed');
    expect(directed.inDegree).toEqual({ min: 0, mean: 3 / 5, max: 1 });
  });

  it('reads GEXF and GraphML files, by extension or --format', async () => {
    const dir = tempDir();
    const gexf = join(dir, 'seed.gexf');
    const graphml = join(dir, 'seed.graphml');
    writeFileSync(gexf, writeGexf(seedGraph()));
    writeFileSync(graphml, writeGraphml(seedGraph()));
    writeFileSync(join(dir, 'seed.data'), writeGexf(seedGraph()));
    for (const args of [
      ['--file', gexf],
      ['--file', graphml],
      ['--file', join(dir, 'seed.data'), '--format', 'gexf'],
    ]) {
      expect(await runJson(['graph', 'info', ...args])).toMatchObject({ nodes: 6, edges: 6, components: 1 });
    }
    expect(readGraphFile(gexf).hasEdge('C', 'D')).toBe(true);
  });

  it('adds the dataset figures for --dataset karate', async () => {
    const result = await runJson(['graph', 'info', '--dataset', 'karate']);
    expect(result).toMatchObject({
      graph: 'karate',
      nodes: 34,
      edges: 78,
      components: 1,
      dataset: { classes: 2, edgeIndexColumns: 156, split: { train: 2, val: 0, test: 32 } },
    });
  });

  it('describes the embedded Cora: 2708 nodes, 5278 edges, 78 components', async () => {
    const result = await runJson(['graph', 'info', '--dataset', 'cora']);
    expect(result).toMatchObject({
      nodes: 2708,
      edges: 5278,
      components: 78,
      largestComponent: 2485,
      dataset: { features: 1433, classes: 7, split: { train: 140, val: 500, test: 1000 } },
    });
  });

  it('exits 2 naming --matrices for a graph too large to print densely', async () => {
    const r = await run(['graph', 'info', '--dataset', 'karate', '--matrices']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--matrices');
    expect(r.stderr).toContain('34 nodes');
  });

  it('exits 1 naming the path when the file or dataset folder is missing', async () => {
    const missing = join(tempDir(), 'nope.gexf');
    const r = await run(['graph', 'info', '--file', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(missing);
    const folder = join(tempDir(), 'no-such-dataset');
    const d = await run(['graph', 'info', '--dataset', folder]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain(folder);
  });
});

describe('tensorloom graph hops', () => {
  it('needs 4 layers from C to E on the seed graph', async () => {
    expect(await runJson(['graph', 'hops', '--from', 'C', '--to', 'E'])).toMatchObject({ from: 'C', to: 'E', hops: 4 });
    const human = await run(['graph', 'hops', '--from', 'C', '--to', 'E']);
    expect(human.stdout).toBe('C → E: 4 message-passing layers\n');
  });

  it('lists every distance from one node, grouped by layers', async () => {
    const result = await runJson(['graph', 'hops', '--from', 'C']);
    expect(result.distances).toEqual({ C: 0, D: 1, B: 2, F: 2, A: 3, E: 4 });
    expect(result).toMatchObject({ unreachable: [], maxHops: 4 });
    const human = await run(['graph', 'hops', '--from', 'C']);
    expect(human.stdout).toContain('2: B, F');
  });

  it('follows directed edges forwards only, and says when information never arrives', async () => {
    const file = join(tempDir(), 'chain.edges');
    writeFileSync(file, 'a b\nb c\n');
    expect(await runJson(['graph', 'hops', '--file', file, '--directed', '--from', 'a', '--to', 'c'])).toMatchObject({ hops: 2 });
    expect(await runJson(['graph', 'hops', '--file', file, '--directed', '--from', 'c', '--to', 'a'])).toMatchObject({ hops: null });
    expect((await runJson(['graph', 'hops', '--file', file, '--directed', '--from', 'b'])).unreachable).toEqual(['a']);
    const human = await run(['graph', 'hops', '--file', file, '--directed', '--from', 'c', '--to', 'a']);
    expect(human.stdout).toContain('never');
  });
});

describe('tensorloom graph receptive-field', () => {
  it('grows the k-hop set of C one layer at a time', async () => {
    const result = await runJson(['graph', 'receptive-field', '--node', 'C', '--layers', '4']);
    expect(result.fields.map((f: { added: string[] }) => f.added)).toEqual([['C'], ['D'], ['B', 'F'], ['A'], ['E']]);
    expect(result.fields.map((f: { size: number }) => f.size)).toEqual([1, 2, 4, 5, 6]);
    const two = await runJson(['graph', 'receptive-field', '--node', 'E']);
    expect(two.layers).toBe(2);
    expect(two.fields[2].nodes).toEqual(['E', 'A', 'B', 'F']);
  });
});

describe('graph usage errors', () => {
  it('exit 2 with a one-line message naming the flag', async () => {
    const cases: [string[], string][] = [
      [['graph', 'hops'], '--from'],
      [['graph', 'hops', '--from', 'Z'], '--from'],
      [['graph', 'hops', '--from', 'C', '--to', 'Q'], '--to'],
      [['graph', 'receptive-field', '--node', 'C', '--layers', '-1'], '--layers'],
      [['graph', 'receptive-field', '--node', 'C', '--layers', 'two'], '--layers'],
      [['graph', 'receptive-field'], '--node'],
      [['graph', 'info', '--example', 'petersen'], '--example'],
      [['graph', 'info', '--example', 'seed', '--dataset', 'karate'], '--dataset'],
      [['graph', 'info', '--file', 'x.gexf', '--format', 'dot'], '--format'],
      [['graph', 'info', '--nodes'], '--nodes'],
    ];
    for (const [args, flag] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(flag);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('documents the graph sources in --help', async () => {
    const r = await run(['graph', 'info', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--file', '--dataset', '--example', '--format', '--directed', '--matrices', '--json'])
      expect(r.stdout).toContain(flag);
  });
});

describe('graph summaries', () => {
  it('sizes weakly connected components, largest first', () => {
    expect(componentSizes(seedGraph())).toEqual([6]);
    expect(graphSummary(karateClub().graph).degree).toEqual({ min: 1, mean: 156 / 34, max: 17 });
  });

  it('aligns a labelled matrix', () => {
    expect(
      formatMatrix(
        'M',
        [
          [1, 0.5],
          [0.3333333, 10],
        ],
        ['a', 'b'],
      ),
    ).toEqual(['M:', '        a     b', '  a     1   0.5', '  b 0.333    10']);
  });
});
