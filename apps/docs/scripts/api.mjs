#!/usr/bin/env node
/**
 * The API reference: TypeDoc over the entry points of the published packages, rendered as Markdown
 * by typedoc-plugin-markdown and wired into VitePress by typedoc-vitepress-theme. Writes `api/`, one
 * section per entry point named as it is imported (`@tensorloom/core-tensor`,
 * `@tensorloom/core-tensor/testing`, …), the landing page `api/index.md` and the sidebar
 * `api/typedoc-sidebar.json` that `.vitepress/config.ts` reads.
 *
 * One TypeScript program over all the entry points with the workspace's `tsconfig.base.json`
 * options: its `@tensorloom/source` condition resolves the packages to their sources, so nothing
 * needs building first. No git and no network (source links go to the repository's main branch).
 * Exits non-zero on any TypeDoc error (a type error in the sources included); warnings are printed.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { Application, Comment, Converter, ReflectionKind } from 'typedoc';
import ts from 'typescript';

const DOCS = fileURLToPath(new URL('..', import.meta.url));
const ROOT = resolve(DOCS, '../..');
const OUT = join(DOCS, 'api');
const REPOSITORY = 'https://github.com/tensorloom/tensorloom';

/**
 * The published entry points, in the site's package order. A subpath has a summary of its own; a
 * package's main entry is described by its package.json.
 */
const ENTRY_POINTS = [
  { dir: 'core-tensor', subpath: '.' },
  {
    dir: 'core-tensor',
    subpath: './testing',
    summary: 'Test helpers for tensorloom code and backends: `expectClose`, `gradcheck` and the kernel conformance suite.',
  },
  { dir: 'rnn', subpath: '.' },
  { dir: 'lstm', subpath: '.' },
  { dir: 'graph', subpath: '.' },
  {
    dir: 'graph',
    subpath: './node',
    summary:
      'The Node-only part of @tensorloom/graph: reading GEXF, GraphML and edge-list files, and reading and writing ' +
      'Planetoid-style folders.',
  },
  { dir: 'gnn', subpath: '.' },
  { dir: 'textgen', subpath: '.' },
  { dir: 'datasets', subpath: '.' },
  { dir: 'export', subpath: '.' },
  {
    dir: 'export',
    subpath: './node',
    summary: 'The Node-only part of @tensorloom/export: writing an export to a folder, atomically.',
  },
].map(({ dir, subpath, summary }) => {
  const packageFile = join(ROOT, 'packages', dir, 'package.json');
  const packageJson = JSON.parse(readFileSync(packageFile, 'utf8'));
  const source = packageJson.exports?.[subpath]?.['@tensorloom/source'];
  if (typeof source !== 'string') {
    throw new Error(`api: ${packageFile} has no "@tensorloom/source" condition for the export "${subpath}"`);
  }
  const name = subpath === '.' ? packageJson.name : `${packageJson.name}/${subpath.slice(2)}`;
  return { name, file: join(ROOT, 'packages', dir, source), summary: summary ?? packageJson.description };
});

// Every export of every published package has its section: a new one must be added above.
for (const dir of readdirSync(join(ROOT, 'packages'))) {
  const packageFile = join(ROOT, 'packages', dir, 'package.json');
  if (!existsSync(packageFile)) continue;
  const packageJson = JSON.parse(readFileSync(packageFile, 'utf8'));
  if (packageJson.private) continue;
  for (const subpath of Object.keys(packageJson.exports ?? {}).filter((key) => key !== './package.json')) {
    const name = subpath === '.' ? packageJson.name : `${packageJson.name}/${subpath.slice(2)}`;
    if (!ENTRY_POINTS.some((entry) => entry.name === name)) throw new Error(`api: ${name} is published but not in ENTRY_POINTS`);
  }
}

/** `tsconfig.base.json`'s compiler options, over exactly the entry points (and what they import). */
function compilerSetup() {
  const configFile = join(ROOT, 'tsconfig.base.json');
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = error
    ? { errors: [error] }
    : ts.parseJsonConfigFileContent(
        { ...config, files: ENTRY_POINTS.map((entry) => entry.file), include: [] },
        ts.sys,
        ROOT,
        { noEmit: true },
        configFile,
      );
  if (parsed.errors.length > 0) {
    const messages = parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    throw new Error(`api: cannot read ${configFile}: ${messages.join('; ')}`);
  }
  return parsed;
}

const app = await Application.bootstrapWithPlugins(
  {
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    entryPoints: ENTRY_POINTS.map((entry) => entry.file),
    entryPointStrategy: 'resolve',
    name: 'tensorloom',
    readme: 'none',
    out: OUT,
    basePath: ROOT,
    displayBasePath: ROOT,
    sortEntryPoints: false,
    disableGit: true,
    gitRevision: 'main',
    sourceLinkTemplate: `${REPOSITORY}/blob/{gitRevision}/{path}#L{line}`,
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    logLevel: 'Warn',
    // typedoc-plugin-markdown
    entryFileName: 'index',
    excludeScopesInPaths: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    // Escapes `<`, `>`, `{` and `}` in comment prose (not in code), so Vue reads no tag or `{{`.
    sanitizeComments: true,
    useCodeBlocks: true,
    indexFormat: 'table',
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    classPropertiesFormat: 'table',
    typeDeclarationFormat: 'table',
    enumMembersFormat: 'table',
    tableColumnSettings: { hideSources: true, hideInherited: true },
    // typedoc-vitepress-theme
    docsRoot: DOCS,
    sidebar: { autoConfiguration: true, format: 'vitepress', pretty: true, collapsed: true },
  },
  // No option files: everything is above, and the program is set up below rather than from the
  // docs app's own tsconfig.json.
  [],
);
const setup = compilerSetup();
app.options.setCompilerOptions(setup.fileNames, setup.options, undefined);

// Each module is named as it is imported and carries the summary of its entry point.
const entryByFile = new Map(ENTRY_POINTS.map((entry) => [entry.file, entry]));
app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
  if (!reflection.kindOf(ReflectionKind.Module)) return;
  const fileName = context.project.getSymbolIdFromReflection(reflection)?.fileName;
  const entry = entryByFile.get(fileName ?? '');
  if (!entry) throw new Error(`api: the module ${reflection.name} (${fileName}) is not a published entry point`);
  reflection.name = entry.name;
  reflection.comment = new Comment([{ kind: 'text', text: entry.summary }]);
});

/** Summaries of the namespaces whose `export * as` carries no comment. */
const NAMESPACE_SUMMARIES = {
  '@tensorloom/core-tensor.nn':
    'Modules and layers (`Module`, `Linear`, `Embedding`, `LayerNorm`, `Sequential`, the activations…) and weight initialisation ' +
    "(`nn.init`), with PyTorch's parameter names.",
  '@tensorloom/core-tensor.optim':
    "Optimizers (`SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`), learning-rate schedulers and gradient clipping, with PyTorch's " +
    'formulas and defaults.',
};
app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
  for (const namespace of context.project.getReflectionsByKind(ReflectionKind.Namespace)) {
    const summary = NAMESPACE_SUMMARIES[namespace.getFullName()];
    if (summary && !namespace.hasComment()) namespace.comment = new Comment([{ kind: 'text', text: summary }]);
  }
});

rmSync(OUT, { recursive: true, force: true });
const project = await app.convert();
if (project) {
  app.validate(project);
  await app.generateOutputs(project);
}
if (!project || app.logger.hasErrors()) {
  process.stderr.write('api: TypeDoc reported errors (above); the API reference was not written.\n');
  process.exit(1);
}

/** The landing page, in place of TypeDoc's module list. */
function landingPage() {
  const rows = ENTRY_POINTS.map((entry) => {
    const page = `${entry.name.replace(/^@tensorloom\//, '')}/index.md`;
    if (!existsSync(join(OUT, page))) throw new Error(`api: TypeDoc wrote no page ${page} for ${entry.name}`);
    return `| [\`${entry.name}\`](./${page}) | ${entry.summary.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# API reference',
    '',
    'Every export of the published packages, generated from the TSDoc in their sources: the formulas,',
    'the options with their defaults, the shapes and the examples. One section per entry point, named',
    'as you import it; the [package pages](/packages/) show how the pieces fit together.',
    '',
    '| entry point | what it holds |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
writeFileSync(join(OUT, 'index.md'), landingPage());

/**
 * VitePress's heading slug (`slugify` of @mdit-vue/shared, which VitePress uses): accents and
 * control characters dropped, runs of punctuation and spaces made one `-`, lower case.
 */
function slugify(text) {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036F]/g, '')
      // eslint-disable-next-line no-control-regex -- dropping control characters is the point
      .replace(/[\u0000-\u001f]/g, '')
      .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '')
      .replace(/^(\d)/, '_$1')
      .toLowerCase()
  );
}

/** Every page's anchors: its explicit `<a id>`s and the slugs VitePress gives its headings. */
function anchorsOf(markdown) {
  const explicit = new Set([...markdown.matchAll(/<a id="([^"]+)"/g)].map((m) => m[1]));
  const headings = new Set();
  const seen = new Map();
  for (const [, text] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const plain = text
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '')
      .replace(/\\(.)/g, '$1');
    const slug = slugify(plain);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    headings.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return { explicit, headings };
}

/**
 * typedoc-vitepress-theme turns anchors into VitePress's heading slugs only in links that do not
 * start with `.`, so links into another module (`../../rnn/classes/RecurrentCell.md#bias_ih`) keep
 * TypeDoc's anchor (`bias_ih` for the heading VitePress names `bias-ih`). Slug those too, unless
 * they name an explicit `<a id>`, and report any anchor that still names nothing.
 */
function fixAnchors() {
  const pages = readdirSync(OUT, { recursive: true }).filter((file) => file.endsWith('.md'));
  const contents = new Map(pages.map((page) => [join(OUT, page), readFileSync(join(OUT, page), 'utf8')]));
  const anchors = new Map([...contents].map(([file, markdown]) => [file, anchorsOf(markdown)]));
  const unresolved = [];
  for (const [file, markdown] of contents) {
    const fixed = markdown.replace(/\]\(([^()\s#]*\.md)?#([^()\s]+)\)/g, (link, path, anchor) => {
      if (path && /^[a-z]+:/.test(path)) return link;
      const target = anchors.get(path ? resolve(dirname(file), path) : file);
      if (!target || target.explicit.has(anchor) || target.headings.has(anchor)) return link;
      const slug = slugify(decodeURIComponent(anchor));
      if (!target.headings.has(slug)) unresolved.push(`${relative(OUT, file)}: ${path ?? ''}#${anchor}`);
      return `](${path ?? ''}#${slug})`;
    });
    if (fixed !== markdown) writeFileSync(file, fixed);
  }
  for (const link of unresolved) process.stderr.write(`api: warning: the anchor of ${link} names no heading\n`);
}
fixAnchors();
