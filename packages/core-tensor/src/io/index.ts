// safetensors read and write: in memory (browser-safe) and on disk (Node, imported lazily); the memory bounds loaders check.
export {
  parseSafetensors,
  serializeSafetensors,
  DEFAULT_MAX_HEADER_BYTES,
  type SafetensorsContents,
  type ParseSafetensorsOptions,
  type SerializeSafetensorsOptions,
} from './safetensors.js';
export type { SafetensorsIntegerDType } from './safetensors-dtypes.js';
export { MAX_TYPED_ARRAY_LENGTH, memoryBudgetBytes, formatBytes } from './memory.js';
export { findInvalidUtf8 } from './utf8.js';
export { saveSafetensors, loadSafetensors } from './fs.js';
export * from './errors.js';
