/** Typed errors of the exporters and the importer. */
import { TensorloomError } from '@tensorloom/core-tensor';

/**
 * A model, or a module inside it, that an exporter cannot write: names the module's path in the
 * tree (`convs.1`), its type, and what the exporter supports.
 */
export class ExportError extends TensorloomError {}
