// The PyTorch exporter: model.py, config.json, model.safetensors, README.md (and vocab.json, train_ddp.py).
export { exportPytorch, PYTORCH_EXPORT_FORMAT, type PytorchExportOptions, type PytorchExportConfig } from './export.js';
export { pytorchModule, type PytorchModule } from './model-py.js';
export type { PytorchSpecNode, PytorchWalkOptions } from './spec.js';
