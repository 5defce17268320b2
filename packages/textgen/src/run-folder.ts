/**
 * A run folder: where a training run keeps its checkpoints. One checkpoint directory per
 * checkpoint step (`step-000500/`, …) and `latest/`, the newest one; the newest `keep` step
 * directories of the run stay. A run folder belongs to one run: `run.json` (its manifest) names it,
 * `run.lock` marks a process training into it, and `claimRunFolder` refuses a folder that holds
 * another run. `loadCheckpoint` and `findCheckpoint` take a run folder for its `latest`;
 * `loadNewestCheckpoint` falls back to the newest intact step checkpoint when `latest` is damaged.
 * Node only (through `DirectoryOps`, so tests can inject failures).
 */
import { requireNodeBuiltin } from '@tensorloom/core-tensor';
import { nodeDirectoryOps, type DirectoryOps } from './atomic-directory.js';
import { LATEST_CHECKPOINT, loadCheckpoint, saveCheckpoint, type LoadedCheckpoint, type SaveCheckpointOptions } from './checkpoint.js';
import { RunFolderError } from './errors.js';

/** Step checkpoints a run folder keeps by default (the newest). */
export const DEFAULT_KEEP_CHECKPOINTS = 5;

/** The manifest's file name in a run folder. */
export const RUN_MANIFEST = 'run.json';
/** The lock file's name in a run folder (the pid of the process training into it). */
export const RUN_LOCK = 'run.lock';
/** What else a run writes into its folder besides checkpoints (removed by `claimRunFolder` with `overwrite`). */
export const RUN_FILES = ['curves.csv', 'curves.svg', 'samples.txt', 'result.json'] as const;

/** `step-000500`: the checkpoint directory of `step`, sorting by step. */
export function stepCheckpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

const STEP_DIR = /^step-(\d+)$/;
/** A checkpoint writer's temporary or set-aside sibling (`writeDirectoryAtomically`). */
const LEFTOVER = /^\.(step-\d+|latest)\.(tmp|old)-/;

const path = (what: string) => requireNodeBuiltin<typeof import('node:path')>('node:path', what);
const fsp = (what: string) => requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', what);

/** The manifest a run writes into its folder when it starts (`run.json`). */
export interface RunManifest {
  format: 'tensorloom.run';
  version: 1;
  /** Names the run; its checkpoints carry it in their metadata (`runId`). */
  runId: string;
  /** ISO time the run started. */
  startedAt: string;
  /** The program that trains it (`tensorloom textgen train`, say). */
  command: string;
  /** Everything the program needs to resume it: settings, the corpus and its hash, … (JSON). */
  data: Record<string, unknown>;
  /** ISO times and steps at which the run was resumed. */
  resumed: { at: string; step: number }[];
}

/** A fresh run id: time and randomness, sortable by start. */
export function newRunId(): string {
  const { randomBytes } = requireNodeBuiltin<typeof import('node:crypto')>('node:crypto', 'newRunId');
  return `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
}

/** Reads `run.json` of `runDir`; undefined when there is none. Throws `RunFolderError` for a malformed one. */
export async function readRunManifest(runDir: string): Promise<RunManifest | undefined> {
  const file = path('readRunManifest').join(runDir, RUN_MANIFEST);
  let text: string;
  try {
    text = await fsp('readRunManifest').readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunFolderError(`cannot read the run manifest '${file}': ${(error as Error).message}`, runDir, 'manifest');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RunFolderError(`the run manifest '${file}' is not valid JSON (${(error as Error).message})`, runDir, 'manifest');
  }
  const m = parsed as Partial<RunManifest> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.format !== 'tensorloom.run' ||
    m.version !== 1 ||
    typeof m.runId !== 'string' ||
    typeof m.startedAt !== 'string' ||
    typeof m.data !== 'object' ||
    m.data === null ||
    !Array.isArray(m.resumed)
  ) {
    throw new RunFolderError(
      `the run manifest '${file}' is not a tensorloom run manifest (expected format 'tensorloom.run', version 1, runId, startedAt, data)`,
      runDir,
      'manifest',
    );
  }
  return m as RunManifest;
}

/** Writes `run.json` atomically (a temporary file renamed into place). */
export async function writeRunManifest(runDir: string, manifest: RunManifest): Promise<void> {
  const fs = fsp('writeRunManifest');
  const file = path('writeRunManifest').join(runDir, RUN_MANIFEST);
  await fs.mkdir(runDir, { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.rename(temp, file);
}

/** The entries of `runDir` that belong to a run (checkpoints, the manifest, the files a run writes). */
export async function runFolderEntries(runDir: string): Promise<string[]> {
  const names = await fsp('runFolderEntries')
    .readdir(runDir)
    .catch(() => [] as string[]);
  const owned = new Set<string>([RUN_MANIFEST, LATEST_CHECKPOINT, ...RUN_FILES]);
  return names.filter((n) => owned.has(n) || STEP_DIR.test(n) || LEFTOVER.test(n) || n.startsWith(`${RUN_MANIFEST}.tmp-`)).sort();
}

/** The locks this process holds (a second claim from the same process is refused too). */
const heldLocks = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ClaimRunFolderOptions {
  /** The run this process continues (resuming): the folder may hold it (a folder without a manifest counts as it). */
  runId?: string;
  /** Remove another run's checkpoints and files instead of refusing. */
  overwrite?: boolean;
}

/** What `claimRunFolder` returns: the lock's release, and what it found and cleaned. */
export interface RunFolderClaim {
  /** The run's manifest when the folder holds the run being continued. */
  manifest: RunManifest | undefined;
  /** Leftovers of killed checkpoint writers removed (`.step-N.tmp-*`). */
  cleaned: string[];
  /** The manifest of another run found there (to be overwritten). */
  previous: RunManifest | undefined;
  /** Entries of another run in the folder (only with `overwrite`; else the claim is refused). */
  others: string[];
  /** Removes `others` (call once the new run is ready to start, so that a failure before loses nothing). */
  clearOthers(): Promise<string[]>;
  /** Releases the lock (idempotent). */
  release(): void;
}

/**
 * Takes `runDir` for a run: creates it, takes its lock (`run.lock`, refusing while another live
 * process holds it), removes temporary directories killed checkpoint writers left, and refuses
 * (`RunFolderError`, reason `'occupied'`) a folder holding another run, that is any checkpoint,
 * manifest or run file, unless its manifest names `options.runId` (the run being resumed) or
 * `options.overwrite` is set, in which case `clearOthers` removes that run's entries.
 * @example const claim = await claimRunFolder('runs/moby'); try { … } finally { claim.release(); }
 */
export async function claimRunFolder(runDir: string, options: ClaimRunFolderOptions = {}): Promise<RunFolderClaim> {
  const fs = fsp('claimRunFolder');
  const { join } = path('claimRunFolder');
  const { readFileSync, rmSync } = requireNodeBuiltin<typeof import('node:fs')>('node:fs', 'claimRunFolder');
  await fs.mkdir(runDir, { recursive: true });
  const lock = path('claimRunFolder').resolve(runDir, RUN_LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number.parseInt(await fs.readFile(lock, 'utf8').catch(() => ''), 10);
      const live = holder === process.pid ? heldLocks.has(lock) : Number.isInteger(holder) && pidAlive(holder);
      if (live) {
        throw new RunFolderError(`the run folder '${runDir}' is in use: process ${holder} is training into it (${lock})`, runDir, 'locked');
      }
      await fs.rm(lock, { force: true }); // a killed process's lock
    }
  }
  heldLocks.add(lock);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldLocks.delete(lock);
    try {
      if (readFileSync(lock, 'utf8').trim() === String(process.pid)) rmSync(lock, { force: true });
    } catch {
      // already gone
    }
  };
  try {
    const manifest = await readRunManifest(runDir).catch((error: unknown) => {
      if (options.overwrite === true) return undefined;
      throw error;
    });
    const entries = await runFolderEntries(runDir);
    const cleaned: string[] = [];
    for (const name of entries.filter((n) => /\.tmp-/.test(n))) {
      await fs.rm(join(runDir, name), { recursive: true, force: true });
      cleaned.push(name);
    }
    const held = entries.filter((n) => !cleaned.includes(n));
    const ours = options.runId !== undefined && (manifest === undefined || manifest.runId === options.runId);
    const others = ours ? [] : held;
    if (others.length > 0 && options.overwrite !== true) {
      const what = manifest
        ? `run ${manifest.runId} (started ${manifest.startedAt})`
        : `another run (${others.slice(0, 4).join(', ')}${others.length > 4 ? ', …' : ''})`;
      throw new RunFolderError(
        `the run folder '${runDir}' holds ${what}: resume it, overwrite it, or choose another folder`,
        runDir,
        'occupied',
      );
    }
    const clearOthers = async (): Promise<string[]> => {
      for (const name of others) await fs.rm(join(runDir, name), { recursive: true, force: true });
      return [...others];
    };
    return { manifest: ours ? manifest : undefined, previous: ours ? undefined : manifest, cleaned, others, clearOthers, release };
  } catch (error) {
    release();
    throw error;
  }
}

export interface SaveRunCheckpointOptions {
  /** Step checkpoints of this run to keep, the newest (0 keeps all). Default 5. */
  keep?: number;
  /** The file system (default: Node's). */
  ops?: DirectoryOps;
}

/** A step checkpoint's run id and save time, from its config.json (undefined when unreadable). */
async function stepCheckpointInfo(dir: string): Promise<{ runId: string | null; savedAt: string } | undefined> {
  try {
    const config = JSON.parse(await fsp('saveRunCheckpoint').readFile(path('saveRunCheckpoint').join(dir, 'config.json'), 'utf8')) as {
      savedAt?: unknown;
      metadata?: { runId?: unknown };
    };
    const runId = config.metadata?.runId;
    return { runId: typeof runId === 'string' ? runId : null, savedAt: typeof config.savedAt === 'string' ? config.savedAt : '' };
  } catch {
    return undefined;
  }
}

/**
 * Writes a checkpoint into the run folder `runDir`: as `step-NNNNNN/` (its trainer's step, else the
 * model's) and as `latest/`, each atomically (`saveCheckpoint`), then removes the run's step
 * directories beyond the newest `keep`. The run is the checkpoint's `metadata.runId` (none when
 * absent): step directories of other runs, and damaged ones, are never removed; "newest" is by save
 * time, so a run resumed from an earlier step keeps its new checkpoints. Returns both paths.
 * @example await saveRunCheckpoint('runs/moby', { model, tokenizer, trainer }, { keep: 5 });
 */
export async function saveRunCheckpoint(
  runDir: string,
  checkpoint: SaveCheckpointOptions,
  options: SaveRunCheckpointOptions = {},
): Promise<{ step: number; stepDir: string; latestDir: string }> {
  const { keep = DEFAULT_KEEP_CHECKPOINTS } = options;
  const { join } = path('saveRunCheckpoint');
  const ops = options.ops ?? (await nodeDirectoryOps());
  const step = checkpoint.trainer?.step ?? checkpoint.step ?? 0;
  const stepDir = join(runDir, stepCheckpointName(step));
  const latestDir = join(runDir, LATEST_CHECKPOINT);
  await saveCheckpoint(stepDir, checkpoint, ops);
  await saveCheckpoint(latestDir, checkpoint, ops);
  if (keep > 0) {
    const runId = typeof checkpoint.metadata?.runId === 'string' ? checkpoint.metadata.runId : null;
    const mine: { name: string; step: number; savedAt: string }[] = [];
    for (const name of (await ops.list(runDir)).filter((n) => STEP_DIR.test(n))) {
      const info = await stepCheckpointInfo(join(runDir, name));
      if (info !== undefined && info.runId === runId) mine.push({ name, step: Number(STEP_DIR.exec(name)![1]), savedAt: info.savedAt });
    }
    mine.sort((a, b) => (a.savedAt === b.savedAt ? a.step - b.step : a.savedAt < b.savedAt ? -1 : 1));
    for (const { name } of mine.slice(0, Math.max(0, mine.length - keep))) await ops.remove(join(runDir, name));
  }
  return { step, stepDir, latestDir };
}

/** A checkpoint `loadNewestCheckpoint` passed over, and why. */
export interface SkippedCheckpoint {
  dir: string;
  error: Error;
}

/**
 * Loads the newest intact checkpoint of the run folder (or checkpoint directory) `dir`: `latest`,
 * else the step checkpoints newest first (by save time). Each damaged one passed over is reported to
 * `onSkip` and listed in `skipped`; when none loads, the error of `latest` (or of the first tried)
 * is thrown.
 */
export async function loadNewestCheckpoint(
  dir: string,
  options: { onSkip?: (skipped: SkippedCheckpoint) => void } = {},
): Promise<LoadedCheckpoint & { skipped: SkippedCheckpoint[] }> {
  const { join } = path('loadNewestCheckpoint');
  const skipped: SkippedCheckpoint[] = [];
  let first: unknown;
  try {
    return { ...(await loadCheckpoint(dir)), skipped };
  } catch (error) {
    first = error;
  }
  const names = (
    await fsp('loadNewestCheckpoint')
      .readdir(dir)
      .catch(() => [] as string[])
  ).filter((n) => STEP_DIR.test(n));
  if (names.length === 0) throw first;
  const failed = { dir: join(dir, LATEST_CHECKPOINT), error: first as Error };
  skipped.push(failed);
  options.onSkip?.(failed);
  const dated = await Promise.all(
    names.map(async (name) => ({ name, savedAt: (await stepCheckpointInfo(join(dir, name)))?.savedAt ?? '' })),
  );
  dated.sort((a, b) => (a.savedAt === b.savedAt ? (a.name < b.name ? 1 : -1) : a.savedAt < b.savedAt ? 1 : -1));
  for (const { name } of dated) {
    try {
      return { ...(await loadCheckpoint(join(dir, name))), skipped };
    } catch (error) {
      const skip = { dir: join(dir, name), error: error as Error };
      skipped.push(skip);
      options.onSkip?.(skip);
    }
  }
  throw first;
}
