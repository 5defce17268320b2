// The importer: PyTorch weights (an exported model.py's, train_ddp.py's checkpoints) back into tensorloom.
export { importPytorch, type ImportPytorchOptions, type ImportedModel, type DtypeConversion } from './import.js';
