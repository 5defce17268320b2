/**
 * `textgen train`'s run folder: it belongs to one run. A fresh run refuses a folder that holds
 * another (unless --overwrite), a run writes `run.json` (its settings, bounds, corpus and the
 * corpus's SHA-256), and --resume restores every setting from it and refuses another corpus. `planRun`
 * is the first step of the command: the settings, bounds, corpus and run folder, from the flags or the run resumed.
 */
import { createReadStream } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { TEXT_DATASETS, loadText, type TextDatasetName } from '@tensorloom/datasets';
import {
  RunFolderError,
  findCheckpoint,
  claimRunFolder,
  newRunId,
  readRunManifest,
  textModelMemory,
  type LoadedCheckpoint,
  type RunFolderClaim,
  type RunManifest,
} from '@tensorloom/textgen';
import { UsageError, stringOption, type OptionValues } from '../cli.js';
import type { MemoryTerm } from '../memory.js';
import { givenSettings, resolveSettings, type SettingsOf } from '../settings.js';
import {
  BOUND_SETTINGS,
  DEFAULT_MAX_MINUTES,
  RUN_SETTINGS,
  TRAIN_SETTINGS,
  checkResumeConflicts,
  checkpointSettings,
  type TextgenTrainSettings,
} from './textgen-settings.js';
import { DEFAULT_CORPUS, encodingOption, loadCheckpointFlag, type TextgenRunMetadata } from './textgen-common.js';
import { checkOutputFolder } from '../output-paths.js';

/** The corpus a run trains on, as `run.json` and each checkpoint record it. */
export interface CorpusIdentity {
  /** The embedded book's name or the file path given. */
  source: string;
  /** SHA-256 of the file's bytes (of the UTF-8 text for an embedded book), hex. */
  sha256: string;
  bytes: number;
}

/** Hashes the corpus without holding it (a file is streamed). */
export async function corpusIdentity(corpus: string): Promise<CorpusIdentity> {
  const hash = createHash('sha256');
  let bytes = 0;
  if (Object.hasOwn(TEXT_DATASETS, corpus)) {
    const data = Buffer.from(await loadText(corpus as TextDatasetName), 'utf8');
    hash.update(data);
    bytes = data.length;
  } else {
    try {
      for await (const chunk of createReadStream(corpus)) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
    } catch {
      // readCorpus says what is wrong with the file
      return { source: corpus, sha256: '', bytes: 0 };
    }
  }
  return { source: corpus, sha256: hash.digest('hex'), bytes };
}

/** What `run.json`'s data holds for `textgen train`. */
export interface TextgenManifestData {
  settings: Record<string, unknown>;
  run: Record<string, unknown>;
  bounds: Record<string, unknown>;
  corpus: CorpusIdentity & { encoding: string; keepGutenberg: boolean };
  /** The checkpoint a run started from when it continued another folder's run. */
  continuedFrom?: { dir: string; step: number; runId: string | null };
}

/** The manifest of the run a checkpoint belongs to (its folder's `run.json`), when that names the checkpoint's run. */
export async function manifestOf(runDir: string, loaded: LoadedCheckpoint): Promise<RunManifest | undefined> {
  const manifest = await readRunManifest(runDir).catch(() => undefined);
  const runId = loaded.metadata.runId;
  return manifest !== undefined && (runId === undefined || manifest.runId === runId) ? manifest : undefined;
}

/** A resumed run must read the corpus it trained on. */
export function checkSameCorpus(saved: Partial<CorpusIdentity> | undefined, now: CorpusIdentity): void {
  if (saved?.sha256 === undefined || saved.sha256 === '' || now.sha256 === '' || saved.sha256 === now.sha256) return;
  throw new UsageError(
    `--resume: the corpus '${now.source}' (${now.bytes.toLocaleString('en-US')} bytes, sha256 ${now.sha256.slice(0, 12)}…) is not ` +
      `the one the run trained on ('${saved.source ?? '?'}', ${(saved.bytes ?? 0).toLocaleString('en-US')} bytes, sha256 ` +
      `${saved.sha256.slice(0, 12)}…): a resumed run continues on its own corpus; start a new run (another --out) for this one`,
  );
}

/** `claimRunFolder` with the errors said in flags: exit 2 with what to do. */
export async function claimTextgenRunFolder(out: string, runId: string | undefined, overwrite: boolean): Promise<RunFolderClaim> {
  try {
    return await claimRunFolder(out, { ...(runId !== undefined ? { runId } : {}), overwrite });
  } catch (error) {
    if (error instanceof RunFolderError && error.reason === 'occupied') {
      throw new UsageError(
        `${error.message.replace(/: resume it.*$/, '')}; give --resume ${out} to continue it, --overwrite to replace it, ` +
          'or --out DIR for a new folder',
      );
    }
    if (error instanceof RunFolderError) throw new UsageError(error.message);
    throw error;
  }
}

/** A new manifest for a fresh run (or one continuing another folder's run). */
export function newManifest(data: TextgenManifestData): RunManifest {
  return {
    format: 'tensorloom.run',
    version: 1,
    runId: newRunId(),
    startedAt: new Date().toISOString(),
    command: 'tensorloom textgen train',
    data: data as unknown as Record<string, unknown>,
    resumed: [],
  };
}

export function corpusLabel(corpus: string): string {
  return corpus === DEFAULT_CORPUS ? corpus : basename(corpus, extname(corpus));
}

/** Builds the datasets, turning a character the checkpoint's tokenizer lacks into an error that says what happened. */
/** What a run will do, from the flags (and the checkpoint it resumes). */
export interface RunPlan {
  settings: TextgenTrainSettings;
  run: SettingsOf<typeof RUN_SETTINGS>;
  bounds: { steps?: number; epochs?: number; maxMinutes?: number };
  loaded: LoadedCheckpoint | undefined;
  corpus: string;
  encoding: string;
  out: string;
  metadata: TextgenRunMetadata & { runId: string; corpusSha256: string };
  /** The run folder, claimed (locked, refused when it holds another run). */
  claim: RunFolderClaim;
  /** The manifest to write when training starts. */
  manifest: RunManifest;
  /** Whether this continues the run in its own folder (else it is a run of its own). */
  continuing: boolean;
}

type Bounds = RunPlan['bounds'];

/** Step 1: the settings, bounds, corpus and run folder: from the flags, or from the checkpoint to resume. */
export async function planRun(values: OptionValues, log: (line: string) => void): Promise<RunPlan> {
  const given = givenSettings(values, TRAIN_SETTINGS);
  const givenRun = givenSettings(values, RUN_SETTINGS);
  const givenBounds = givenSettings(values, BOUND_SETTINGS);
  const overwrite = values.overwrite === true;
  if (values.encoding !== undefined) encodingOption(values);
  const resumeFrom = stringOption(values, 'resume');
  let corpus = stringOption(values, 'corpus');
  let encoding = stringOption(values, 'encoding');
  let out = stringOption(values, 'out');
  let keepGutenberg = values['keep-gutenberg'] === true;
  let settings: TextgenTrainSettings;
  let loaded: LoadedCheckpoint | undefined;
  let saved: RunManifest | undefined;
  let savedCorpus: Partial<CorpusIdentity> | undefined;
  let resumeDir: string | undefined;
  if (resumeFrom !== undefined) {
    loaded = await loadCheckpointFlag(resumeFrom, 'resume', log);
    if (loaded.trainerState === undefined) {
      throw new UsageError(`--resume: the checkpoint at '${loaded.dir}' holds no training state (it was saved for sampling only)`);
    }
    settings = checkpointSettings(loaded);
    checkResumeConflicts(given, settings);
    const meta = loaded.metadata as Partial<TextgenRunMetadata>;
    if (keepGutenberg && meta.keepGutenberg === false) {
      throw new UsageError("--keep-gutenberg differs from the checkpoint's run, which left the Project Gutenberg header and licence out");
    }
    keepGutenberg = meta.keepGutenberg ?? false;
    corpus ??= meta.corpus ?? DEFAULT_CORPUS;
    encoding ??= meta.encoding;
    // A run folder resumes into itself; a single checkpoint into the folder that holds it.
    resumeDir = (await findCheckpoint(resumeFrom)) === resumeFrom ? dirname(resumeFrom) : resumeFrom;
    out ??= resumeDir;
    saved = await manifestOf(resumeDir, loaded);
    const data = saved?.data as Partial<TextgenManifestData> | undefined;
    savedCorpus = data?.corpus ?? { source: meta.corpus, ...(typeof meta.corpusSha256 === 'string' ? { sha256: meta.corpusSha256 } : {}) };
  } else {
    settings = { ...resolveSettings({}, TRAIN_SETTINGS), ...given };
  }
  corpus ??= DEFAULT_CORPUS;
  encoding ??= 'utf-8';
  out ??= join('runs', `textgen-${corpusLabel(corpus)}`);
  checkOutputFolder(out, 'out');
  const savedData = saved?.data as Partial<TextgenManifestData> | undefined;
  // A resumed run keeps its run options and bounds unless given again.
  const run = { ...resolveSettings({}, RUN_SETTINGS), ...(savedData?.run ?? {}), ...givenRun } as SettingsOf<typeof RUN_SETTINGS>;
  const bounds = planBounds(Object.keys(givenBounds).length > 0 ? givenBounds : ((savedData?.bounds as Bounds | undefined) ?? {}));
  if (loaded !== undefined && bounds.steps !== undefined && loaded.step >= bounds.steps && givenBounds.steps === undefined) {
    throw new UsageError(
      `--resume: the run already reached step ${loaded.step} of its --steps ${bounds.steps}; give a larger --steps to go on`,
    );
  }
  const identity = await corpusIdentity(corpus);
  if (loaded !== undefined) checkSameCorpus(savedCorpus, identity);
  // Resuming into the run's own folder continues that run; anywhere else starts a run of its own.
  const continuing = resumeDir !== undefined && resolve(out) === resolve(resumeDir);
  const runId = continuing
    ? (saved?.runId ?? (typeof loaded!.metadata.runId === 'string' ? loaded!.metadata.runId : undefined))
    : undefined;
  const claim = await claimTextgenRunFolder(out, continuing ? (runId ?? 'legacy') : undefined, overwrite);
  const manifestData: TextgenManifestData = {
    settings: { ...settings },
    run: { ...run },
    bounds: { ...bounds },
    corpus: { ...identity, encoding, keepGutenberg },
    ...(loaded !== undefined && !continuing
      ? {
          continuedFrom: {
            dir: loaded.dir,
            step: loaded.step,
            runId: typeof loaded.metadata.runId === 'string' ? loaded.metadata.runId : null,
          },
        }
      : {}),
  };
  const manifest =
    continuing && saved !== undefined
      ? { ...saved, data: { ...saved.data, run: { ...run }, bounds: { ...bounds } } }
      : { ...newManifest(manifestData), ...(runId !== undefined ? { runId } : {}) };
  return {
    settings,
    run,
    bounds,
    loaded,
    corpus,
    encoding,
    out,
    metadata: {
      corpus,
      encoding,
      validationFraction: settings.valFraction,
      keepGutenberg,
      runId: manifest.runId,
      corpusSha256: identity.sha256,
    },
    claim,
    manifest,
    continuing,
  };
}

/** The bounds of a run; without any, `DEFAULT_MAX_MINUTES`. */
function planBounds(given: Bounds): Bounds {
  const { steps, epochs, maxMinutes } = given;
  const minutes = steps === undefined && epochs === undefined && maxMinutes === undefined ? DEFAULT_MAX_MINUTES : maxMinutes;
  return {
    ...(steps === undefined ? {} : { steps }),
    ...(epochs === undefined ? {} : { epochs }),
    ...(minutes === undefined ? {} : { maxMinutes: minutes }),
  };
}

/** What training the character model holds, by the flags that size it (for `checkMemory`). */
export function textgenMemoryTerms(
  s: { embedding: number; hidden: number; layers: number; batch: number; seq: number },
  vocabSize: number,
): MemoryTerm[] {
  const { embedding: E, hidden: H, layers: L, batch: B, seq: T } = s;
  const memory = textModelMemory({ vocabSize, embeddingDim: E, hiddenSize: H, numLayers: L }, { batch: B, seqLength: T });
  return [
    {
      what: 'parameters (weights, gradients, Adam moments)',
      flags: [`--hidden ${H}`, `--embedding ${E}`, `--layers ${L}`],
      elements: 4 * memory.parameters,
      largestTensor: memory.largestParameter,
    },
    {
      what: 'activations (forward and backward)',
      flags: [`--batch ${B}`, `--seq ${T}`, `--hidden ${H}`, `--layers ${L}`],
      elements: memory.activations,
      largestTensor: memory.largestActivation,
    },
  ];
}
