#!/usr/bin/env node
/**
 * Serves the built site (`.vitepress/dist`) on localhost with the cross-origin isolation headers
 * (COOP/COEP) the demos need for wasm threads: `pnpm docs:preview [--port N]`. `vitepress preview`
 * sends no custom headers, hence this small server. Also used by the end-to-end test.
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

export const DIST = fileURLToPath(new URL('../.vitepress/dist', import.meta.url));
const HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * Starts the server; resolves with its URL once it listens (port 0 picks a free one).
 * @param {{ port?: number, host?: string }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function serveSite({ port = 4173, host = '127.0.0.1' } = {}) {
  if (!existsSync(DIST)) throw new Error(`no built site at ${DIST}: run \`pnpm docs:build\` first`);
  const notFound = readFileSync(`${DIST}/404.html`);
  // `dev: true` looks each file up on request, so a rebuild while the server runs is served as it lands.
  const files = sirv(DIST, { extensions: ['html'], dev: true, etag: true, setHeaders: (res) => setIsolation(res) });
  const server = createServer((req, res) => {
    setIsolation(res);
    files(req, res, () => {
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(notFound);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
      resolve({ url, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function setIsolation(res) {
  for (const [name, value] of Object.entries(HEADERS)) res.setHeader(name, value);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 4173;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port: expected an integer in 0…65535, got ${process.argv[at + 1]}`);
    process.exit(2);
  }
  const { url } = await serveSite({ port });
  console.log(`tensorloom docs at ${url} (cross-origin isolated; Ctrl-C stops)`);
}
