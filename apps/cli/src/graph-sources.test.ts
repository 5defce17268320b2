// Graph inputs are strict by default: the CLI names the label attribute a training file lacks (and
// what it has), and malformed, binary or inconsistent graph files stop with the file and place.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { gnnTrainCommand } from './commands/gnn-train.js';
import { graphCommands } from './commands/graph.js';
import { capture, tempDirs } from './test-support.js';

const tempDir = tempDirs('graph-sources-');

async function run(args: string[]) {
  const c = capture();
  const code = await runCli(args, [gnnTrainCommand, ...graphCommands], c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** Two triangles whose nodes carry display names (GEXF `label`) and a declared `club`. */
function clubGexf(dir: string): string {
  const nodes = ['Ann', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay']
    .map((name, i) => `<node id="${i}" label="${name}"><attvalues><attvalue for="0" value="${i < 3 ? 'red' : 'blue'}"/></attvalues></node>`)
    .join('\n');
  const edges = [
    [0, 1],
    [1, 2],
    [0, 2],
    [3, 4],
    [4, 5],
    [3, 5],
  ]
    .map(([s, t], e) => `<edge id="${e}" source="${s}" target="${t}"/>`)
    .join('\n');
  const file = join(dir, 'club.gexf');
  writeFileSync(
    file,
    '<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.2" version="1.2">\n<graph defaultedgetype="undirected">\n' +
      '<attributes class="node"><attribute id="0" title="club" type="string"/></attributes>\n' +
      `<nodes>\n${nodes}\n</nodes>\n<edges>\n${edges}\n</edges>\n</graph>\n</gexf>\n`,
  );
  return file;
}

const quick = ['--seeds', '0', '--epochs', '3', '--train-per-class', '1', '--val-size', '1', '--json'];

describe('gnn train: the label attribute', () => {
  it('refuses a GEXF whose only "label" is the display name (exit 2), listing the declared attributes', async () => {
    const file = clubGexf(tempDir());
    const r = await run(['gnn', 'train', '--dataset', file, ...quick]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--label-attribute label: .*club\.gexf: no node attribute 'label'.*declares the node attributes club/);
    expect(r.stderr).toMatch(/display name/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    const named = await run(['gnn', 'train', '--dataset', file, '--label-attribute', 'club', ...quick]);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout).data).toMatchObject({ nodes: 6, classes: 2, train: 2, val: 1, test: 3 });
  });

  it("takes a Planetoid folder's labels.csv column from --label-attribute, and names the columns when it is missing", async () => {
    const dir = join(tempDir(), 'triangles');
    mkdirSync(dir);
    writeFileSync(join(dir, 'edges.csv'), 'source,target\n0,1\n1,2\n0,2\n3,4\n4,5\n3,5\n');
    writeFileSync(join(dir, 'labels.csv'), 'node,class\n0,0\n1,0\n2,0\n3,1\n4,1\n5,1\n');
    writeFileSync(join(dir, 'split.json'), JSON.stringify({ train: [0, 5], val: [1], test: [2, 3] }));
    const missing = await run(['gnn', 'train', '--dataset', dir, '--features', 'identity', ...quick]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--label-attribute label: .*labels\.csv: no 'label' column .*node, class/);
    const named = await run(['gnn', 'train', '--dataset', dir, '--features', 'identity', '--label-attribute', 'class', ...quick]);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout).data).toMatchObject({ nodes: 6, classes: 2, train: 2, val: 1, test: 2 });
  });

  it('says an edge list has no node attributes at all', async () => {
    const file = join(tempDir(), 'edges.txt');
    writeFileSync(file, '0 1\n1 2\n');
    const r = await run(['gnn', 'train', '--dataset', file, ...quick]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--label-attribute: no node of .* has a 'label' attribute \(its nodes have no attributes\)/);
  });
});

describe('strict graph files through the CLI', () => {
  it('stops on XML that is not well-formed, naming file, line and column (exit 1)', async () => {
    const file = join(tempDir(), 'bad.graphml');
    writeFileSync(file, '<graphml>\n<graph>\n<node id="a"/>\n</graph>\n</graphml>\ntrailing junk\n');
    const r = await run(['graph', 'info', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:6:1: not well-formed XML`);
    expect(r.stderr).toMatch(/not well-formed XML: text data outside of root node/);
  });

  it('refuses a binary file given as a graph or a training set, naming the offset (exit 1)', async () => {
    const file = join(tempDir(), 'photo.png');
    writeFileSync(file, Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00));
    for (const args of [
      ['graph', 'info', '--file', file],
      ['gnn', 'train', '--dataset', file, ...quick],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/looks binary, not text: a NUL byte at byte offset 8/);
    }
  });

  it('stops on a split.json whose parts overlap, naming the parts and nodes (exit 1)', async () => {
    const dir = join(tempDir(), 'overlap');
    mkdirSync(dir);
    writeFileSync(join(dir, 'edges.csv'), 'source,target\n0,1\n1,2\n');
    writeFileSync(join(dir, 'labels.csv'), 'node,label\n0,0\n1,1\n2,0\n');
    writeFileSync(join(dir, 'split.json'), JSON.stringify({ train: [0, 1], val: [], test: [1, 2] }));
    const r = await run(['gnn', 'train', '--dataset', dir, '--features', 'identity', ...quick]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/split\.json: the split is inconsistent: train and test share 1 node \(1\)/);
  });
});

describe('graph commands read a Planetoid-style folder with another label column', () => {
  it('--label-attribute names the labels.csv column; without it the missing column is exit 2 naming the flag', async () => {
    const folder = join(tempDir(), 'classes');
    mkdirSync(folder);
    writeFileSync(join(folder, 'edges.csv'), 'source,target\n0,1\n1,2\n2,3\n');
    writeFileSync(join(folder, 'labels.csv'), 'node,class\n0,0\n1,1\n2,0\n3,1\n');
    writeFileSync(join(folder, 'split.json'), '{"train":[0,1],"val":[2],"test":[3]}');
    const run = async (args: string[]) => {
      const c = capture();
      const code = await runCli(['graph', 'info', '--dataset', folder, ...args], graphCommands, c.io);
      return { code, stdout: c.stdout(), stderr: c.stderr() };
    };
    const missing = await run([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--label-attribute label: .*class/);
    const ok = await run(['--label-attribute', 'class', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n').at(-1)!)).toMatchObject({ nodes: 4 });
  });
});
