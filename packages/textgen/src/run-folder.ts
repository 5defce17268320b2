/**
 * A run folder: where a training run keeps its checkpoints. One checkpoint directory per
 * checkpoint step (`step-000500/`, …) and `latest/`, the newest one; the newest `keep` step
 * directories stay. `loadCheckpoint` and `findCheckpoint` take a run folder for its `latest`.
 * Node only (through `DirectoryOps`, so tests can inject failures).
 */
import { requireNodeBuiltin } from '@tensorloom/core-tensor';
import { nodeDirectoryOps, type DirectoryOps } from './atomic-directory.js';
import { LATEST_CHECKPOINT, saveCheckpoint, type SaveCheckpointOptions } from './checkpoint.js';

/** Step checkpoints a run folder keeps by default (the newest). */
export const DEFAULT_KEEP_CHECKPOINTS = 5;

/** `step-000500`: the checkpoint directory of `step`, sorting by step. */
export function stepCheckpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

const STEP_DIR = /^step-(\d+)$/;

function join(dir: string, name: string): string {
  return requireNodeBuiltin<typeof import('node:path')>('node:path', 'saveRunCheckpoint').join(dir, name);
}

export interface SaveRunCheckpointOptions {
  /** Step checkpoints to keep, the newest (0 keeps all). Default 5. */
  keep?: number;
  /** The file system (default: Node's). */
  ops?: DirectoryOps;
}

/**
 * Writes a checkpoint into the run folder `runDir`: as `step-NNNNNN/` (its trainer's step, else the
 * model's) and as `latest/`, each atomically (`saveCheckpoint`), then removes all but the newest
 * `keep` step directories. Returns both paths.
 * @example await saveRunCheckpoint('runs/moby', { model, tokenizer, trainer }, { keep: 5 });
 */
export async function saveRunCheckpoint(
  runDir: string,
  checkpoint: SaveCheckpointOptions,
  options: SaveRunCheckpointOptions = {},
): Promise<{ step: number; stepDir: string; latestDir: string }> {
  const { keep = DEFAULT_KEEP_CHECKPOINTS } = options;
  const ops = options.ops ?? (await nodeDirectoryOps());
  const step = checkpoint.trainer?.step ?? checkpoint.step ?? 0;
  const stepDir = join(runDir, stepCheckpointName(step));
  const latestDir = join(runDir, LATEST_CHECKPOINT);
  await saveCheckpoint(stepDir, checkpoint, ops);
  await saveCheckpoint(latestDir, checkpoint, ops);
  if (keep > 0) {
    const steps = (await ops.list(runDir))
      .filter((name) => STEP_DIR.test(name))
      .sort((a, b) => Number(STEP_DIR.exec(a)![1]) - Number(STEP_DIR.exec(b)![1]));
    for (const name of steps.slice(0, Math.max(0, steps.length - keep))) await ops.remove(join(runDir, name));
  }
  return { step, stepDir, latestDir };
}
