// The ONNX exporter.
export {
  exportOnnx,
  onnxModelBytes,
  ONNX_DEFAULT_OPSET,
  ONNX_MIN_OPSET,
  ONNX_MAX_OPSET,
  ONNX_EXPORT_FORMAT,
  ONNX_EXPORT_VERSION,
  type OnnxExportOptions,
} from './export-onnx.js';
export type { OnnxTensorSpec } from './signatures.js';
