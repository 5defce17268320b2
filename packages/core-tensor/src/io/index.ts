// safetensors read and write: in memory (browser-safe) and on disk (Node, imported lazily).
export {
  parseSafetensors,
  serializeSafetensors,
  DEFAULT_MAX_HEADER_BYTES,
  type SafetensorsContents,
  type ParseSafetensorsOptions,
  type SerializeSafetensorsOptions,
} from './safetensors.js';
export type { SafetensorsIntegerDType } from './safetensors-dtypes.js';
export { saveSafetensors, loadSafetensors } from './fs.js';
export * from './errors.js';
