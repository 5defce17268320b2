/**
 * safetensors files on disk (Node only). `node:fs` and `node:path` are fetched inside the functions
 * (`requireNodeBuiltin`), so importing this module (and the package) stays safe in a browser and
 * bundles without Node built-ins.
 */
import { requireNodeBuiltin } from '../environment.js';
import type { Tensor } from '../tensor.js';
import {
  parseSafetensors,
  planSafetensors,
  type ParseSafetensorsOptions,
  type SafetensorsContents,
  type SerializeSafetensorsOptions,
} from './safetensors.js';
import { encodeTensor } from './safetensors-dtypes.js';
import { SafetensorsBoundsError } from './errors.js';
import { formatBytes, memoryBudgetBytes } from './memory.js';

/** What `readFile` reads in one piece (Node's `kIoMaxLength`, 2 GiB − 1); more is a RangeError. */
const MAX_READ_BYTES = 2 ** 31 - 1;

let tempCounter = 0;

/**
 * Writes tensors to a safetensors file atomically: the bytes go to a temporary file in the same
 * directory, which is flushed (`fsync`) and then renamed over `path`. If anything fails on the way
 * (a tensor whose data cannot be read, a full disk), the temporary file is removed and a previous
 * file at `path` is left untouched. The tensors are streamed one by one, so the file is never held
 * whole in memory. An existing file's permission bits are kept.
 *
 * Layout and options as `serializeSafetensors`. A model's weights, under PyTorch's names:
 * `await saveSafetensors('model.safetensors', model.stateDict())`.
 * @example
 * await saveSafetensors('checkpoint.safetensors', model.stateDict(), { metadata: { epoch: '3' } });
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  options: SerializeSafetensorsOptions = {},
): Promise<void> {
  const { open, rename, stat, unlink } = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'saveSafetensors');
  const { basename, dirname, join } = requireNodeBuiltin<typeof import('node:path')>('node:path', 'saveSafetensors');
  const plan = planSafetensors(tensors, options); // validates before the disk is touched

  const directory = dirname(path);
  const mode = await stat(path).then(
    (info) => info.mode & 0o777,
    () => 0o666,
  );
  const tempPath = join(directory, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${tempCounter++}.tmp`);
  const handle = await open(tempPath, 'wx', mode); // 'wx': never clobber another writer's temp file
  let handleOpen = true;
  let renamed = false;
  try {
    let position = 0;
    const write = async (chunk: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
        done += bytesWritten;
      }
      position += chunk.length;
    };
    await write(plan.head);
    for (const entry of plan.entries) await write(encodeTensor(entry.tensor, entry.dtype));
    await handle.sync();
    handleOpen = false;
    await handle.close();
    await rename(tempPath, path);
    renamed = true;
  } finally {
    if (handleOpen) await handle.close().catch(() => undefined);
    if (!renamed) await unlink(tempPath).catch(() => undefined);
  }
  await syncDirectory(directory, open);
}

/** Flushes the directory entry of the rename (best effort: some platforms cannot open a directory). */
async function syncDirectory(directory: string, open: typeof import('node:fs/promises').open): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems refuse fsync on a directory; the rename itself has happened.
  }
}

/**
 * Reads a safetensors file from disk: `parseSafetensors` of its bytes (same dtype conversions,
 * same typed errors), plus the file system's own errors (`ENOENT`…). A file larger than Node reads
 * in one piece (2 GiB) or than `maxTensorBytes` is a `SafetensorsBoundsError` before it is read.
 * @example
 * const { tensors } = await loadSafetensors('model.safetensors');
 * model.loadStateDict(tensors, { strict: true });
 */
export async function loadSafetensors(path: string, options: ParseSafetensorsOptions = {}): Promise<SafetensorsContents> {
  const { readFile, stat } = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'loadSafetensors');
  // The file is held whole, then its tensors: its size is checked before a byte is read.
  const { size } = await stat(path);
  const budget = options.maxTensorBytes ?? memoryBudgetBytes();
  if (size > MAX_READ_BYTES || size > budget) {
    const limit =
      size > MAX_READ_BYTES ? `the ${formatBytes(MAX_READ_BYTES)} Node reads in one piece` : `the limit of ${formatBytes(budget)}`;
    throw new SafetensorsBoundsError(`loadSafetensors: '${path}' has ${size} bytes (${formatBytes(size)}), more than ${limit}`);
  }
  const bytes = await readFile(path);
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
}
