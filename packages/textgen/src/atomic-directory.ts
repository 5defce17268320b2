/**
 * Writing a directory of files atomically (Node only; `node:fs` is fetched when called): the files go
 * into a hidden temporary sibling, are flushed, and the directory is then renamed into place. A
 * writer that fails or is killed at any point leaves the previous directory readable.
 *
 * POSIX `rename` cannot replace a non-empty directory, so replacing one takes two renames:
 * `dir → .dir.old-S`, then `.dir.tmp-S → dir`. Between them `dir` does not exist; readers then
 * take the complete `.dir.old-S` (`resolveDirectory`), and the next writer renames it back first.
 */
import { requireNodeBuiltin } from '@tensorloom/core-tensor';

/** The file-system operations the writer uses (injectable, so tests can fail any one of them). */
export interface DirectoryOps {
  /** Creates a directory and its parents (no error when it exists). */
  mkdir(path: string): Promise<void>;
  /** Writes a file and flushes it to disk (`fsync`). */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or directory tree (no error when it is missing). */
  remove(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** The entry names of a directory ([] when it is missing). */
  list(path: string): Promise<string[]>;
  /** Flushes a directory's entries (best effort). */
  syncDirectory(path: string): Promise<void>;
}

let counter = 0;

/** The real file system. */
export async function nodeDirectoryOps(): Promise<DirectoryOps> {
  const fs = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'writeDirectoryAtomically');
  return {
    mkdir: async (path) => {
      await fs.mkdir(path, { recursive: true });
    },
    writeFile: async (path, data) => {
      const handle = await fs.open(path, 'wx');
      try {
        let done = 0;
        while (done < data.length) done += (await handle.write(data, done, data.length - done, done)).bytesWritten;
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    rename: (from, to) => fs.rename(from, to),
    remove: (path) => fs.rm(path, { recursive: true, force: true }),
    exists: (path) =>
      fs.stat(path).then(
        () => true,
        () => false,
      ),
    list: (path) => fs.readdir(path).catch(() => []),
    syncDirectory: async (path) => {
      try {
        const handle = await fs.open(path, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch {
        // Some platforms cannot fsync a directory; the renames have still happened.
      }
    },
  };
}

async function splitPath(dir: string): Promise<{ parent: string; base: string; join: (...parts: string[]) => string }> {
  const path = requireNodeBuiltin<typeof import('node:path')>('node:path', 'writeDirectoryAtomically');
  const resolved = path.resolve(dir);
  return { parent: path.dirname(resolved), base: path.basename(resolved), join: path.join };
}

/** A hidden sibling's stamp: the writer's pid, the time and a counter, so names never collide. */
function stamp(): string {
  return `${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/** The time part of a stamp, for ordering leftovers (newest first). */
function stampTime(name: string): number {
  const time = /-([0-9a-z]+)-[0-9a-z]+$/.exec(name)?.[1];
  return time === undefined ? 0 : parseInt(time, 36);
}

/** Leftover siblings of `base` of a kind ('tmp' or 'old'), newest first. */
async function leftovers(ops: DirectoryOps, parent: string, base: string, kind: 'tmp' | 'old'): Promise<string[]> {
  const prefix = `.${base}.${kind}-`;
  const names = (await ops.list(parent)).filter((name) => name.startsWith(prefix));
  return names.sort((a, b) => stampTime(b) - stampTime(a));
}

/**
 * Where the latest complete copy of `dir` is: `dir` itself, or, when a writer died between its
 * two renames, the `.dir.old-*` sibling it had moved aside. Undefined when there is neither.
 */
export async function resolveDirectory(dir: string, ops?: DirectoryOps): Promise<string | undefined> {
  const io = ops ?? (await nodeDirectoryOps());
  if (await io.exists(dir)) return dir;
  const { parent, base, join } = await splitPath(dir);
  const [newest] = await leftovers(io, parent, base, 'old');
  return newest === undefined ? undefined : join(parent, newest);
}

/**
 * Writes `files` (name → bytes) as the directory `dir`, replacing any previous one atomically:
 * readers see the old directory or the new one, never a mixture, and a failure or a kill at any
 * point leaves the old one readable (at `dir`, or found by `resolveDirectory`). A failed write
 * removes its temporary directory and restores the old one before rethrowing. Leftovers of killed
 * writers are cleaned up by the next successful write.
 */
export async function writeDirectoryAtomically(
  dir: string,
  files: Readonly<Record<string, Uint8Array>>,
  ops?: DirectoryOps,
): Promise<void> {
  const io = ops ?? (await nodeDirectoryOps());
  const { parent, base, join } = await splitPath(dir);
  const target = join(parent, base);
  await io.mkdir(parent);
  // A writer killed between its renames left `dir` missing and the old copy aside: put it back.
  if (!(await io.exists(target))) {
    const [previous] = await leftovers(io, parent, base, 'old');
    if (previous !== undefined) await io.rename(join(parent, previous), target);
  }
  const id = stamp();
  const temp = join(parent, `.${base}.tmp-${id}`);
  const aside = join(parent, `.${base}.old-${id}`);
  let movedAside = false;
  let committed = false;
  try {
    await io.mkdir(temp);
    for (const [name, data] of Object.entries(files)) await io.writeFile(join(temp, name), data);
    await io.syncDirectory(temp);
    if (await io.exists(target)) {
      await io.rename(target, aside);
      movedAside = true;
    }
    await io.rename(temp, target);
    committed = true;
    await io.syncDirectory(parent);
  } catch (error) {
    if (!committed) {
      await io.remove(temp).catch(() => undefined);
      if (movedAside) await io.rename(aside, target).catch(() => undefined);
    }
    throw error;
  }
  // Committed: the old copy and any leftovers of killed writers can go.
  for (const kind of ['old', 'tmp'] as const) {
    for (const name of await leftovers(io, parent, base, kind)) await io.remove(join(parent, name)).catch(() => undefined);
  }
}
