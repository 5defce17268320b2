// The packages as a user meets them: packed as `pnpm publish` packs them, installed with npm into an
// empty project outside the workspace, and used there. Needs the npm registry for their own
// dependencies (graphology, @xmldom/xmldom, …), as any install does.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Logger } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE, firstJsExample, publicPackages, run, runOk, specifierOf } from './workspace.js';

const packages = publicPackages();
const consumerFiles = fileURLToPath(new URL('../consumer', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

let work = '';
let project = '';
let tarballs: string[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tensorloom-install-'));
  const packs = join(work, 'packs');
  mkdirSync(packs);
  for (const pkg of packages) runOk('pnpm', ['pack', '--pack-destination', packs], { cwd: pkg.dir });
  tarballs = readdirSync(packs).map((file) => join(packs, file));
  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  runOk(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, 'graphology', 'graphology-types', '@types/node@20'],
    { cwd: project },
  );
  cpSync(consumerFiles, project, { recursive: true });
});

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('installed from the packed tarballs into an empty project', () => {
  it('packs every public package, outside the workspace', () => {
    expect(packages.map((p) => p.name).sort()).toEqual([
      '@tensorloom/cli',
      '@tensorloom/core-tensor',
      '@tensorloom/datasets',
      '@tensorloom/export',
      '@tensorloom/gnn',
      '@tensorloom/graph',
      '@tensorloom/lstm',
      '@tensorloom/rnn',
      '@tensorloom/textgen',
    ]);
    expect(tarballs).toHaveLength(packages.length);
    expect(project.startsWith(WORKSPACE)).toBe(false);
    // What is published names only shipped files: no source condition, no src/.
    for (const pkg of packages) {
      const installed = JSON.parse(readFileSync(join(project, 'node_modules', pkg.name, 'package.json'), 'utf8'));
      expect(JSON.stringify(installed.exports), pkg.name).not.toContain('src/');
      expect(JSON.stringify(installed), pkg.name).not.toContain('workspace:');
    }
  });

  it.each(packages.map((p) => [p.name, p] as const))("runs %s's README's first example unchanged with node", (name, pkg) => {
    const example = firstJsExample(readFileSync(join(pkg.dir, 'README.md'), 'utf8'));
    expect(example, `${name}'s README has no js example`).toBeDefined();
    const file = join(project, `readme-${name.replace(/\W+/g, '-')}.mjs`);
    writeFileSync(file, example!);
    const result = run(process.execPath, [file], { cwd: project, timeoutSeconds: 60 });
    expect(result.code, `${name} README example:\n${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout.trim().length, `${name}'s example prints nothing`).toBeGreaterThan(0);
    console.log(`${name}: README example ran in ${result.seconds.toFixed(1)} s`);
  });

  it('type-checks a TypeScript consumer under nodenext and bundler resolution', () => {
    for (const config of ['tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
      const result = run(process.execPath, [tsc, '-p', config], { cwd: project, timeoutSeconds: 300 });
      expect(result.code, `${config}:\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it('require()s every entry point of every package from a .cjs file', () => {
    const entries = packages.flatMap((p) => p.entries.map((entry) => specifierOf(p.name, entry)));
    expect(entries).toContain('@tensorloom/graph/node');
    expect(entries).toContain('@tensorloom/core-tensor/testing');
    const result = run(process.execPath, ['requires.cjs', ...entries], { cwd: project, timeoutSeconds: 120 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`required ${entries.length} entry points`);
  });

  /**
   * A Vite production build of `input` in the project, and what Vite replaced with its empty
   * browser stand-in for a Node built-in (caught three ways: its warning, loading the stand-in, and
   * the build failing on a name the stand-in lacks).
   */
  async function viteBuild(input: string): Promise<{ externalized: string[]; files: string[]; error?: Error }> {
    const externalized: string[] = [];
    const outDir = join(work, `web-${input.replace(/\W+/g, '-')}`);
    const warned = (message: string): void => {
      if (/externalized for browser compatibility/.test(message)) externalized.push(message);
    };
    const customLogger: Logger = {
      info: () => undefined,
      warn: warned,
      warnOnce: warned,
      error: () => undefined,
      clearScreen: () => undefined,
      hasErrorLogged: () => false,
      hasWarned: false,
    };
    try {
      await build({
        root: project,
        configFile: false,
        customLogger,
        build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4096, rollupOptions: { input: join(project, input) } },
        plugins: [
          {
            name: 'no-node-builtins',
            enforce: 'pre',
            load: (id: string) => void (id.startsWith('__vite-browser-external') && externalized.push(id)),
          },
        ],
      });
    } catch (error) {
      // A named import of a built-in fails the build itself ("readFileSync is not exported by __vite-browser-external:fs").
      if (/__vite-browser-external/.test((error as Error).message)) externalized.push((error as Error).message.split('\n')[0]!);
      return { externalized, files: [], error: error as Error };
    }
    return { externalized, files: readdirSync(join(outDir, 'assets')) };
  }

  it('bundles a page that trains GCN on Cora (gnn + datasets + graphology) with Vite, no Node built-in externalized', async () => {
    const { externalized, files, error } = await viteBuild('index.html');
    expect(error).toBeUndefined();
    expect(externalized).toEqual([]);
    // Each dataset is a chunk of its own, fetched only when loaded.
    expect(files.some((file) => file.startsWith('cora-'))).toBe(true);
  });

  it('bundles every browser-safe entry (all main entries and ./testing) with no Node built-in externalized', async () => {
    const { externalized, error } = await viteBuild('all-entries.html');
    expect(error).toBeUndefined();
    expect(externalized).toEqual([]);
  });

  it("the bundle check fails on code that needs Node: graph/node's file readers, a lazy import('node:fs')", async () => {
    writeFileSync(join(project, 'node-only.js'), "import { readGexf } from '@tensorloom/graph/node';\nconsole.log(readGexf);\n");
    writeFileSync(
      join(project, 'lazy-fs.js'),
      "export async function read(path) {\n  const fs = await import('node:fs/promises');\n  return fs.readFile(path);\n}\n",
    );
    for (const script of ['node-only.js', 'lazy-fs.js']) {
      writeFileSync(join(project, `${script}.html`), `<script type="module" src="./${script}"></script>\n`);
      const { externalized } = await viteBuild(`${script}.html`);
      expect(externalized.join('\n'), script).toMatch(/__vite-browser-external|externalized for browser compatibility/);
    }
  });

  it('a globally installed CLI trains GCN on Cora: tensorloom gnn train --dataset cora --model gcn --seeds 0,1', () => {
    const prefix = join(work, 'global');
    runOk('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: work });
    const result = run(
      join(prefix, 'bin', 'tensorloom'),
      ['gnn', 'train', '--dataset', 'cora', '--model', 'gcn', '--seeds', '0,1', '--json'],
      { cwd: work, timeoutSeconds: 300 },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({
      dataset: 'cora',
      model: 'gcn',
      seeds: [0, 1],
      data: { nodes: 2708, features: 1433, classes: 7, train: 140, val: 500, test: 1000 },
    });
    // GCN reaches ~81.5% on Cora (Kipf & Welling); far below would mean the shipped data is wrong.
    expect(summary.testAccuracy.mean).toBeGreaterThan(0.78);
    console.log(`global CLI: GCN on Cora, seeds 0,1: ${(100 * summary.testAccuracy.mean).toFixed(2)}%`);
  });
});
