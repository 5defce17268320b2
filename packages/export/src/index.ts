/**
 * `@tensorloom/export`: the way out. A tensorloom model as a PyTorch module (generated `model.py`,
 * safetensors weights under PyTorch's names, `config.json`, and for text models a
 * DistributedDataParallel training script), or as an ONNX model for ONNX Runtime; and PyTorch
 * weights back into a tensorloom model. Everything here builds files in memory (browser-safe);
 * `@tensorloom/export/node` writes them to a folder.
 */
export { ExportError } from './errors.js';
export { fileBytes, type ExportBundle, type ExportedFile } from './files.js';
export {
  exportPytorch,
  pytorchModule,
  PYTORCH_EXPORT_FORMAT,
  type PytorchExportOptions,
  type PytorchExportConfig,
  type PytorchModule,
  type PytorchSpecNode,
  type PytorchWalkOptions,
} from './pytorch/index.js';
export { importPytorch, type ImportPytorchOptions, type ImportedModel, type DtypeConversion } from './import/index.js';
export {
  exportOnnx,
  onnxModelBytes,
  ONNX_DEFAULT_OPSET,
  ONNX_MIN_OPSET,
  ONNX_MAX_OPSET,
  ONNX_EXPORT_FORMAT,
  ONNX_EXPORT_VERSION,
  type OnnxExportOptions,
  type OnnxTensorSpec,
} from './onnx/index.js';
