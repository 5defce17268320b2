#!/usr/bin/env node
// `pnpm release:dry`: what a release would publish, without publishing. Packs every public package as
// `pnpm publish` packs it (workspace: ranges resolved, publishConfig applied) and hands each tarball to
// `npm publish --dry-run`, then lists name, version, files and size. Exits 1 if any step fails or a
// tarball lacks its README, LICENSE or built entry, or ships sources.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tensorloom-release-'));
const run = (command, args, cwd) => spawnSync(command, args, { cwd, encoding: 'utf8' });

const packages = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .filter((dir) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true;
    } catch {
      return false;
    }
  });

let failed = 0;
const rows = [];
for (const dir of packages) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const before = new Set(readdirSync(out));
  const packed = run('pnpm', ['pack', '--pack-destination', out], dir);
  const tarball = readdirSync(out).find((file) => !before.has(file));
  if (packed.status !== 0 || tarball === undefined) {
    console.error(`${manifest.name}: pnpm pack failed\n${packed.stdout}${packed.stderr}`);
    failed++;
    continue;
  }
  const listing = run('tar', ['tzf', join(out, tarball)], out)
    .stdout.split('\n')
    .filter(Boolean);
  const problems = [];
  for (const required of [
    'package/package.json',
    'package/README.md',
    'package/LICENSE',
    'package/dist/index.js',
    'package/dist/index.d.ts',
  ]) {
    if (!listing.includes(required)) problems.push(`lacks ${required.slice('package/'.length)}`);
  }
  if (listing.some((file) => file.startsWith('package/src/'))) problems.push('ships src/');
  const dry = run('npm', ['publish', '--dry-run', '--access', 'public', join(out, tarball)], out);
  if (dry.status !== 0) problems.push(`npm publish --dry-run exited ${dry.status}:\n${dry.stderr}`);
  const size = /package size:\s*([\d.]+\s*\w+)/.exec(dry.stderr)?.[1] ?? '?';
  const unpacked = /unpacked size:\s*([\d.]+\s*\w+)/.exec(dry.stderr)?.[1] ?? '?';
  rows.push([manifest.name, manifest.version, String(listing.length), size, unpacked, problems.length === 0 ? 'ok' : problems.join('; ')]);
  if (problems.length > 0) failed++;
}
rmSync(out, { recursive: true, force: true });

const header = ['package', 'version', 'files', 'packed', 'unpacked', 'check'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
if (failed > 0) {
  console.error(`${failed} package(s) would not publish cleanly`);
  process.exit(1);
}
console.log(`${rows.length} packages would publish (dry run: nothing was published)`);
