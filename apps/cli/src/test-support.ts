/**
 * Helpers the CLI's tests share (not part of the package: nothing outside the tests imports this).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** In-memory stdout/stderr for `runCli(…, io)`, read back as text or as the last line's JSON. */
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    /** The last line of stdout as JSON (what `--json` prints). */
    json: () => JSON.parse(out.join('').trimEnd().split('\n').at(-1)!),
  };
}

/** A maker of fresh temporary folders named `<prefix>…`, all removed after the test file. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
