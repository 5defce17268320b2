/** `importPytorch`: weights trained in PyTorch (an exported `model.py`, `train_ddp.py`) back into tensorloom. */
import { parseSafetensors, type FloatDType } from '@tensorloom/core-tensor';
import type { GNN } from '@tensorloom/gnn';
import { CharTokenizer, type CheckpointConfig, type TextGenerationModel } from '@tensorloom/textgen';
import { ExportError } from '../errors.js';
import type { PytorchExportConfig } from '../pytorch/export.js';
import { describedModel, withCause } from './config.js';

export interface ImportPytorchOptions {
  /** The bytes of `model.safetensors` (PyTorch's `state_dict` under its names). */
  weights: Uint8Array;
  /** The text of `config.json`: an export's (`exportPytorch`) or a textgen checkpoint's (`train_ddp.py` writes those). */
  config: string;
  /** The text of `vocab.json`: required for a text model. */
  vocab?: string;
  /**
   * Convert weights whose dtype loses precision in the model's (F64 into a float32 model) or that
   * are not floats (integers, booleans). Default false: refused with an `ExportError` listing them.
   * Exact widenings (F16, BF16 or F32 into float32 / float64) are always made. Every conversion is
   * listed in `conversions`.
   */
  convertDtypes?: boolean;
}

/** One weight stored in another dtype than the model's, converted on load. */
export interface DtypeConversion {
  /** The state-dict key. */
  readonly key: string;
  /** The safetensors dtype in the file (`F64`, `F16`, …). */
  readonly from: string;
  /** The model's dtype. */
  readonly to: FloatDType;
  /** Whether values may have changed (rounding, or not floats). */
  readonly lossy: boolean;
}

interface ImportedCommon {
  /** The parsed `config.json`. */
  config: PytorchExportConfig | CheckpointConfig;
  /** The weights converted to the model's dtype (empty when the file's dtypes were the model's). */
  conversions: readonly DtypeConversion[];
}

/** What `importPytorch` returns: the model in eval mode (`train()` to train it). */
export type ImportedModel =
  | (ImportedCommon & { kind: 'textgen'; model: TextGenerationModel; tokenizer: CharTokenizer })
  | (ImportedCommon & { kind: 'gnn'; model: GNN; tokenizer?: undefined });

/** Safetensors dtypes a float32 / float64 model takes exactly. */
const EXACT: Record<FloatDType, readonly string[]> = { float32: ['F32', 'F16', 'BF16'], float64: ['F64', 'F32', 'F16', 'BF16'] };
const NATIVE: Record<FloatDType, string> = { float32: 'F32', float64: 'F64' };

/** The dtype of every tensor of a safetensors file (its header, already validated by parseSafetensors). */
function fileDtypes(bytes: Uint8Array): Record<string, string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size))) as Record<string, { dtype?: string }>;
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) if (name !== '__metadata__' && entry.dtype !== undefined) out[name] = entry.dtype;
  return out;
}

/**
 * Builds the tensorloom model a `config.json` describes and loads `model.safetensors` into it,
 * strictly: a missing, an unexpected or a mis-shaped tensor is core-tensor's `StateDictError`,
 * which lists each, one per line. The config is an export's (the root's options rebuild the model;
 * the module tree must be the one they build) or, for a text model, a textgen checkpoint's.
 * Weights of another dtype than the model's: exact widenings are made, lossy ones (F64 into
 * float32, integers) refused with an `ExportError` naming them unless `convertDtypes`; both are
 * listed in `conversions`. A malformed file is a `SafetensorsError`; a malformed config or vocab
 * an `ExportError`.
 *
 * @example
 * const { model, tokenizer } = importPytorch({
 *   weights: new Uint8Array(await readFile('run/latest/model.safetensors')),
 *   config: await readFile('run/latest/config.json', 'utf8'),
 *   vocab: await readFile('run/latest/vocab.json', 'utf8'),
 * });
 */
export function importPytorch(options: ImportPytorchOptions): ImportedModel {
  const { weights, config: configText, vocab, convertDtypes = false } = options;
  if (!(weights instanceof Uint8Array)) throw new ExportError('importPytorch: weights must be the bytes (Uint8Array) of model.safetensors');
  if (typeof configText !== 'string') throw new ExportError('importPytorch: config must be the text of config.json');
  const described = describedModel(configText);
  let tokenizer: CharTokenizer | undefined;
  if (described.kind === 'textgen') {
    if (vocab === undefined) throw new ExportError('importPytorch: a text model needs options.vocab, the text of vocab.json');
    let saved: unknown;
    try {
      saved = JSON.parse(vocab);
      tokenizer = CharTokenizer.fromJSON(saved);
    } catch (error) {
      throw withCause(new ExportError(`importPytorch: vocab.json is not a tensorloom tokenizer (${(error as Error).message})`), error);
    }
    if (tokenizer.vocabSize !== described.model.vocabSize) {
      throw new ExportError(
        `importPytorch: vocab.json has ${tokenizer.vocabSize} ids but config.json's model predicts ${described.model.vocabSize}`,
      );
    }
  }
  const { model } = described;
  const { tensors } = parseSafetensors(weights);
  model.loadStateDict(tensors, { strict: true });

  const dtype = model.parameters()[0]!.dtype as FloatDType;
  const dtypes = fileDtypes(weights);
  const conversions: DtypeConversion[] = [];
  for (const [key, from] of Object.entries(dtypes)) {
    if (from !== NATIVE[dtype]) conversions.push({ key, from, to: dtype, lossy: !EXACT[dtype].includes(from) });
  }
  const lossy = conversions.filter((c) => c.lossy);
  if (lossy.length > 0 && !convertDtypes) {
    const listed = lossy.slice(0, 8).map((c) => `'${c.key}' (${c.from})`);
    const more = lossy.length > 8 ? `, and ${lossy.length - 8} more` : '';
    throw new ExportError(
      `importPytorch: ${lossy.length} weight${lossy.length === 1 ? ' is' : 's are'} not ${NATIVE[dtype]} and would change in the ` +
        `${dtype} model config.json describes: ${listed.join(', ')}${more}; pass convertDtypes: true to convert them ` +
        `(listed in conversions), or save them as ${NATIVE[dtype]} in PyTorch (model.float() or .double() before state_dict())`,
    );
  }
  model.eval();
  return described.kind === 'textgen'
    ? { kind: 'textgen', model: described.model, tokenizer: tokenizer!, config: described.config, conversions }
    : { kind: 'gnn', model: described.model, config: described.config, conversions };
}
