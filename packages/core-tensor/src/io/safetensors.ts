/**
 * safetensors in memory: `parseSafetensors` and `serializeSafetensors`. Pure and browser-safe (no
 * Node imports); the file helpers live in `./fs.ts`.
 *
 * The format: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON
 * `{"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}`
 * (padded with spaces), then the byte buffer. Offsets count from the buffer's start; tensors are
 * little-endian and row-major, and tile the buffer exactly (no overlap, no hole).
 */
import { shapeSize } from '../shape.js';
import { Tensor } from '../tensor.js';
import {
  SafetensorsBoundsError,
  SafetensorsDTypeError,
  SafetensorsError,
  SafetensorsHeaderError,
  SafetensorsLayoutError,
  SafetensorsMetadataError,
  SafetensorsRangeError,
  SafetensorsShapeError,
} from './errors.js';
import {
  INTEGER_WRITE_DTYPES,
  SAFETENSORS_DTYPES,
  WRITE_DTYPES,
  encodeTensor,
  writeItemSize,
  type SafetensorsIntegerDType,
} from './safetensors-dtypes.js';
import { MAX_TYPED_ARRAY_LENGTH, formatBytes, memoryBudgetBytes } from './memory.js';

/** The reference implementation's cap on the header size (100 MB). */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

/** What a safetensors file holds. */
export interface SafetensorsContents {
  /** The tensors by name, in header order (JavaScript lists integer-like names first). */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings; `{}` when the file has none. */
  metadata: Record<string, string>;
}

export interface ParseSafetensorsOptions {
  /** Reject headers longer than this many bytes. Default 100 MB (`DEFAULT_MAX_HEADER_BYTES`), as the reference implementation. */
  maxHeaderBytes?: number;
  /**
   * Reject a file whose tensors together would take more than this many bytes once read (a U8 or
   * BOOL tensor becomes int32, four times its file size), before any is allocated. Default: 90 % of
   * the machine's memory in Node (`memoryBudgetBytes()`), unbounded in a browser.
   */
  maxTensorBytes?: number;
}

export interface SerializeSafetensorsOptions {
  /** String metadata stored under `__metadata__`. Default: none (the key is omitted). */
  metadata?: Record<string, string>;
  /**
   * File dtypes for some int32 tensors, by name: `'I64'` as PyTorch keeps indices (PyG's
   * `edge_index`), or `'I16'`, `'U16'`, `'I8'`, `'U8'` for compact files. A value outside the
   * dtype's range is a `SafetensorsRangeError`. Default: every int32 tensor is written as I32.
   */
  dtypes?: Record<string, SafetensorsIntegerDType>;
}

const METADATA_KEY = '__metadata__';

/** Sets an own property (safe for names such as `__proto__`). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // JSON.parse takes nesting that JSON.stringify's recursion cannot print back
    return Array.isArray(value) ? 'a deeply nested array' : 'a deeply nested object';
  }
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---- reading ---------------------------------------------------------------------------------------

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function readHeader(bytes: Uint8Array, maxHeaderBytes: number): { header: Record<string, unknown>; bufferStart: number } {
  if (bytes.length < 8) {
    throw new SafetensorsHeaderError(`parseSafetensors: a safetensors file has at least 8 bytes, this one has ${bytes.length}`);
  }
  const frame = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const headerLength = frame.getUint32(0, true) + frame.getUint32(4, true) * 2 ** 32;
  if (headerLength > maxHeaderBytes) {
    throw new SafetensorsHeaderError(`parseSafetensors: header length ${headerLength} exceeds the limit of ${maxHeaderBytes} bytes`);
  }
  if (8 + headerLength > bytes.length) {
    throw new SafetensorsHeaderError(
      `parseSafetensors: header length ${headerLength} runs past the end of the file (${bytes.length} bytes, header from byte 8)`,
    );
  }
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, so the '{' check below rejects it as the reference does
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new SafetensorsHeaderError('parseSafetensors: the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) {
    throw new SafetensorsHeaderError(`parseSafetensors: the header must start with '{', it starts with ${describe(text.slice(0, 10))}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsHeaderError(`parseSafetensors: the header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) {
    throw new SafetensorsHeaderError(`parseSafetensors: the header must be a JSON object, got ${describe(header)}`);
  }
  return { header, bufferStart: 8 + headerLength };
}

function readMetadata(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) {
    throw new SafetensorsMetadataError(`parseSafetensors: __metadata__ must be an object of strings, got ${describe(value)}`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new SafetensorsMetadataError(`parseSafetensors: __metadata__ values must be strings, '${key}' is ${describe(item)}`);
    }
    setOwn(metadata, key, item);
  }
  return metadata;
}

function readEntry(name: string, value: unknown, bufferLength: number): Entry {
  if (!isPlainObject(value)) {
    throw new SafetensorsHeaderError(`parseSafetensors: tensor '${name}' must be described by an object, got ${describe(value)}`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPES, dtype)) {
    throw new SafetensorsDTypeError(
      `parseSafetensors: tensor '${name}' has dtype ${describe(dtype)}: expected one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsShapeError(
      `parseSafetensors: tensor '${name}' has shape ${describe(shape)}: expected a list of non-negative integers`,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new SafetensorsBoundsError(
      `parseSafetensors: tensor '${name}' has data_offsets ${describe(offsets)}: expected two non-negative integers`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > bufferLength) {
    throw new SafetensorsBoundsError(
      `parseSafetensors: tensor '${name}' has data_offsets [${begin}, ` +
        `${end}]: expected begin ≤ end ≤ ${bufferLength} (the buffer's length)`,
    );
  }
  const expectedBytes = shapeSize(shape as number[]) * SAFETENSORS_DTYPES[dtype]!.itemSize;
  if (end - begin !== expectedBytes) {
    throw new SafetensorsBoundsError(
      `parseSafetensors: tensor '${name}' (${dtype}, shape [${(shape as number[]).join(', ')}]) ` +
        `needs ${expectedBytes} bytes, data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The tensors must cover [0, bufferLength) exactly once, as the reference implementation checks. */
function checkLayout(entries: readonly Entry[], bufferLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const entry of sorted) {
    if (entry.begin < cursor) {
      throw new SafetensorsLayoutError(
        `parseSafetensors: tensor '${entry.name}' (bytes ${entry.begin}..${entry.end}) overlaps '${previous}' (ending at ${cursor})`,
      );
    }
    if (entry.begin > cursor) {
      throw new SafetensorsLayoutError(
        `parseSafetensors: bytes ${cursor}..${entry.begin} of the buffer belong to no tensor (a hole before '${entry.name}')`,
      );
    }
    cursor = entry.end;
    previous = entry.name;
  }
  if (cursor !== bufferLength) {
    throw new SafetensorsLayoutError(`parseSafetensors: the buffer has ${bufferLength} bytes but the tensors end at byte ${cursor}`);
  }
}

/**
 * What the tensors take once read, checked before any is allocated. Every tensor's bytes lie in the
 * file (`readEntry`), but a narrow dtype widens on reading (U8 to int32 is ×4): the total is
 * bounded by `maxTensorBytes`, and each tensor by what one typed array can hold.
 */
function checkMemory(entries: readonly Entry[], maxTensorBytes: number): void {
  let total = 0;
  for (const entry of entries) {
    const info = SAFETENSORS_DTYPES[entry.dtype]!;
    const elements = (entry.end - entry.begin) / info.itemSize;
    const bytes = elements * (info.target === 'float64' ? 8 : 4);
    if (elements > MAX_TYPED_ARRAY_LENGTH) {
      throw new SafetensorsBoundsError(
        `parseSafetensors: tensor '${entry.name}' holds ${elements} elements (${formatBytes(bytes)} as ${info.target}), more than ` +
          `one typed array can hold (${MAX_TYPED_ARRAY_LENGTH})`,
      );
    }
    total += bytes;
  }
  if (total > maxTensorBytes) {
    throw new SafetensorsBoundsError(
      `parseSafetensors: the tensors would take ${formatBytes(total)} (${total} bytes) once read, ` +
        `more than the limit of ${formatBytes(maxTensorBytes)} (maxTensorBytes)`,
    );
  }
}

/**
 * Reads a safetensors file from its bytes.
 *
 * dtypes: F32 → float32, F64 → float64, I32 → int32; I64, U64, U32 → int32 (a
 * `SafetensorsRangeError` if a value does not fit); I16, U16, I8, U8 and BOOL (0/1) → int32;
 * F16 and BF16 → float32 (exact widening). Values are copied: the result does not alias `bytes`.
 * Float data is copied bit for bit (NaN payloads, −0 and subnormals survive).
 *
 * Every fault has its error class (all `SafetensorsError`): `SafetensorsHeaderError` (short file,
 * header length beyond the file or above `maxHeaderBytes`, not UTF-8 / JSON / an object),
 * `SafetensorsDTypeError`, `SafetensorsShapeError`, `SafetensorsBoundsError` (bad `data_offsets`, a
 * byte count ≠ product(shape)·itemsize, or tensors that would take more than `maxTensorBytes`),
 * `SafetensorsLayoutError` (overlap, hole, trailing bytes), `SafetensorsMetadataError`,
 * `SafetensorsRangeError`. A header nested too deep to print is still a `SafetensorsError`.
 *
 * @param bytes the whole file (`Uint8Array`, a Node `Buffer`, or an `ArrayBuffer` from `fetch`).
 * @example
 * const { tensors, metadata } = parseSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * model.loadStateDict(tensors, { strict: true });
 */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer, options: ParseSafetensorsOptions = {}): SafetensorsContents {
  const file = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { header, bufferStart } = readHeader(file, options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
  const bufferLength = file.length - bufferStart;

  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = readMetadata(value);
    else entries.push(readEntry(name, value, bufferLength));
  }
  checkLayout(entries, bufferLength);
  checkMemory(entries, options.maxTensorBytes ?? memoryBudgetBytes());

  const tensors: Record<string, Tensor> = {};
  for (const entry of entries) {
    const info = SAFETENSORS_DTYPES[entry.dtype]!;
    const tensor = Tensor.empty(entry.shape, info.target);
    const view = new DataView(file.buffer, file.byteOffset + bufferStart + entry.begin, entry.end - entry.begin);
    info.decode(view, tensor.data, entry.name);
    setOwn(tensors, entry.name, tensor);
  }
  return { tensors, metadata };
}

// ---- writing ---------------------------------------------------------------------------------------

/** What a writer needs: the framed header (length prefix included) and the tensors in buffer order. */
export interface SafetensorsPlan {
  /** The 8-byte length, then the JSON header padded with spaces to a multiple of 8 bytes. */
  readonly head: Uint8Array;
  /** The tensors in the order their bytes follow the header. */
  readonly entries: readonly { readonly name: string; readonly tensor: Tensor; readonly dtype: string; readonly byteLength: number }[];
  /** Bytes of the whole file. */
  readonly totalBytes: number;
}

// The reference writer orders tensors by dtype, in the reverse of its dtype enum's order (I64, F64,
// F32, I32, U16, I16, I8, U8: widest first), then by name, so every tensor starts at a multiple of
// its element size.
const WRITE_RANK: Readonly<Record<string, number>> = { I64: 0, F64: 1, F32: 2, I32: 3, U16: 4, I16: 5, I8: 6, U8: 7 };

/** The file dtype of `tensor` under `options.dtypes`, its values checked against that dtype's range. */
function fileDType(name: string, tensor: Tensor, requested: SafetensorsIntegerDType | undefined): string {
  if (requested === undefined) return WRITE_DTYPES[tensor.dtype];
  const range = Object.hasOwn(INTEGER_WRITE_DTYPES, requested) ? INTEGER_WRITE_DTYPES[requested] : undefined;
  if (range === undefined) {
    throw new SafetensorsDTypeError(
      `serializeSafetensors: dtypes['${name}'] is ${describe(requested)}: expected one of ${Object.keys(INTEGER_WRITE_DTYPES).join(', ')}`,
    );
  }
  if (tensor.dtype !== 'int32') {
    throw new SafetensorsDTypeError(
      `serializeSafetensors: dtypes['${name}'] asks for ${requested}, but the ` +
        `tensor is ${tensor.dtype}; only int32 tensors take another integer dtype`,
    );
  }
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value < range.min || value > range.max) {
      throw new SafetensorsRangeError(
        `serializeSafetensors: tensor '${name}' holds ${value} at flat index ${i}, outside ${requested} [${range.min}, ${range.max}]`,
      );
    }
  }
  return requested;
}

/**
 * Validates the tensors and metadata and lays out the file without touching tensor data (so a
 * streaming writer can fail before it writes anything; a narrower `dtypes` entry reads its values
 * to check their range). Used by `serializeSafetensors` and `saveSafetensors`.
 */
export function planSafetensors(tensors: Record<string, Tensor>, options: SerializeSafetensorsOptions = {}): SafetensorsPlan {
  const requested = options.dtypes ?? {};
  for (const name of Object.keys(requested)) {
    if (!Object.hasOwn(tensors, name))
      throw new SafetensorsError(`serializeSafetensors: dtypes names '${name}', which is not one of the tensors`);
  }
  const items: { name: string; tensor: Tensor; dtype: string }[] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name === METADATA_KEY) {
      throw new SafetensorsHeaderError(`serializeSafetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    }
    if (!(tensor instanceof Tensor)) {
      throw new SafetensorsError(`serializeSafetensors: '${name}' must be a Tensor, got ${describe(tensor)}`);
    }
    if (WRITE_DTYPES[tensor.dtype] === undefined)
      throw new SafetensorsDTypeError(`serializeSafetensors: tensor '${name}' has dtype ${String(tensor.dtype)}, which cannot be written`);
    items.push({ name, tensor, dtype: fileDType(name, tensor, Object.hasOwn(requested, name) ? requested[name] : undefined) });
  }
  items.sort((a, b) => WRITE_RANK[a.dtype]! - WRITE_RANK[b.dtype]! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const parts: string[] = [];
  if (options.metadata !== undefined) {
    const metadata = options.metadata;
    if (!isPlainObject(metadata))
      throw new SafetensorsMetadataError(`serializeSafetensors: metadata must be an object of strings, got ${describe(metadata)}`);
    const fields: string[] = [];
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new SafetensorsMetadataError(`serializeSafetensors: metadata values must be strings, '${key}' is ${describe(value)}`);
      }
      fields.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
    }
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(',')}}`);
  }
  let offset = 0;
  const entries: { name: string; tensor: Tensor; dtype: string; byteLength: number }[] = [];
  for (const { name, tensor, dtype } of items) {
    const byteLength = shapeSize(tensor.shape) * writeItemSize(dtype);
    const description = { dtype, shape: tensor.shape, data_offsets: [offset, offset + byteLength] };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(description)}`);
    entries.push({ name, tensor, dtype, byteLength });
    offset += byteLength;
  }

  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + headerLength).fill(0x20); // pad with spaces
  const frame = new DataView(head.buffer);
  frame.setUint32(0, headerLength % 2 ** 32, true);
  frame.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  head.set(json, 8);
  return { head, entries, totalBytes: head.length + offset };
}

/**
 * Writes tensors (and optional string metadata) as a safetensors file in memory. Pure and
 * browser-safe; see `saveSafetensors` for an atomic write to disk.
 *
 * float32 → F32, float64 → F64, int32 → I32, bit for bit (or an int32 tensor as the integer dtype
 * `options.dtypes` names). The buffer holds the widest dtypes first (I64, F64, F32, I32, U16, I16, I8,
 * U8), each group sorted by name (UTF-16 code-unit order), as the reference writer does, so every tensor is aligned to its
 * element size; the header lists `__metadata__` first, then
 * the tensors in buffer order, and is padded with spaces to a multiple of 8 bytes.
 *
 * Modules expose `stateDict()` with PyTorch's parameter names, so a model is saved with
 * `serializeSafetensors(model.stateDict())` and read back by `safetensors.torch.load`.
 *
 * Throws `SafetensorsHeaderError` for a tensor named `__metadata__`, `SafetensorsMetadataError` for
 * a non-string metadata value, `SafetensorsError` for a value that is not a Tensor.
 * @example
 * const bytes = serializeSafetensors({ weight: randn([3, 4]) }, { metadata: { format: 'pt' } });
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, options: SerializeSafetensorsOptions = {}): Uint8Array {
  const plan = planSafetensors(tensors, options);
  const out = new Uint8Array(plan.totalBytes);
  out.set(plan.head, 0);
  let offset = plan.head.length;
  for (const entry of plan.entries) {
    out.set(encodeTensor(entry.tensor, entry.dtype), offset);
    offset += entry.byteLength;
  }
  return out;
}
