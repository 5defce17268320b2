import { katex } from '@mdit/plugin-katex';
import { defineConfig, type DefaultTheme } from 'vitepress';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Cross-origin isolation (COOP + COEP) lets the demos' wasm backend use a shared memory and threads.
 * The dev server sends these headers; `scripts/serve.mjs` sends them for the built site.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/**
 * The API sidebars, one per entry point, from the sidebar `scripts/api.mjs` (TypeDoc) writes: a page
 * of one package lists that package's pages only (one sidebar of every package's ~800 pages would
 * make each page slow to open). `/api/` itself lists the packages. Empty before the first build.
 */
function apiSidebars(): DefaultTheme.SidebarMulti {
  const file = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));
  if (!existsSync(file)) return {};
  const entries = JSON.parse(readFileSync(file, 'utf8')) as (DefaultTheme.SidebarItem & { link: string })[];
  const index: DefaultTheme.SidebarItem = {
    text: 'API reference',
    link: '/api/',
    items: entries.map(({ text, link }) => ({ text, link })),
  };
  const sidebars: DefaultTheme.SidebarMulti = { '/api/': [index] };
  for (const entry of entries) {
    sidebars[entry.link] = [
      { text: '← All packages', link: '/api/' },
      { ...entry, collapsed: false },
    ];
  }
  return sidebars;
}

const guides: DefaultTheme.SidebarItem[] = [
  { text: 'Backpropagation through time', link: '/guide/bptt' },
  { text: 'LSTM', link: '/guide/lstm' },
  { text: 'GRU, bidirectional, peephole', link: '/guide/variants' },
  { text: 'The toy sequence tasks', link: '/guide/toy-tasks' },
  { text: 'Character language models', link: '/guide/char-lm' },
  { text: 'Graph convolution (GCN)', link: '/guide/gcn' },
  { text: 'Graph attention (GAT)', link: '/guide/gat' },
  { text: 'Over-smoothing', link: '/guide/oversmoothing' },
  { text: 'Combining RNNs and GNNs', link: '/guide/rnn-gnn' },
];

const packages: DefaultTheme.SidebarItem[] = [
  { text: 'Getting started', link: '/packages/' },
  { text: 'core-tensor', link: '/packages/core-tensor' },
  { text: 'rnn', link: '/packages/rnn' },
  { text: 'lstm', link: '/packages/lstm' },
  { text: 'graph', link: '/packages/graph' },
  { text: 'gnn', link: '/packages/gnn' },
  { text: 'textgen', link: '/packages/textgen' },
  { text: 'datasets', link: '/packages/datasets' },
  { text: 'export', link: '/packages/export' },
  { text: 'cli', link: '/packages/cli' },
];

const demos: DefaultTheme.SidebarItem[] = [
  { text: 'GCN and GAT on the karate club', link: '/demos/karate' },
  { text: 'A character LSTM in the page', link: '/demos/char-lstm' },
  { text: 'Gradient norms over time', link: '/demos/gradient-flow' },
];

export default defineConfig({
  title: 'tensorloom',
  description: 'Recurrent and graph neural networks in TypeScript, checked against PyTorch.',
  cleanUrls: true,
  lastUpdated: false,
  // The generated API pages link to each other by relative paths TypeDoc resolves; anything else
  // broken fails the build.
  ignoreDeadLinks: false,
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  markdown: {
    config(md) {
      // @mdit's plugin is typed against its own copy of markdown-it's types; the instance is the same.
      md.use(katex as unknown as Parameters<typeof md.use>[0], { throwOnError: true });
    },
  },
  themeConfig: {
    nav: [
      { text: 'Packages', link: '/packages/' },
      { text: 'Guides', link: '/guide/bptt' },
      { text: 'Demos', link: '/demos/karate' },
      { text: 'API', link: '/api/' },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
    sidebar: {
      '/packages/': [{ text: 'Packages', items: packages }],
      '/guide/': [{ text: 'Guides', items: guides }],
      '/demos/': [{ text: 'Live demos', items: demos }],
      ...apiSidebars(),
      '/benchmarks': [{ text: 'Benchmarks', items: [{ text: 'Against PyTorch and TF.js', link: '/benchmarks' }] }],
    },
    search: { provider: 'local' },
    outline: [2, 3],
    footer: { message: 'MIT licensed.' },
  },
  vite: {
    server: { headers: ISOLATION_HEADERS },
    preview: { headers: ISOLATION_HEADERS },
    worker: { format: 'es' },
    build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
    optimizeDeps: { exclude: ['@tensorloom/core-tensor'] },
  },
});
