/**
 * `gnn train --export DIR`: the trained graph model as a PyTorch module and an ONNX model, checked
 * before training (a model the exporters cannot write is refused at the start, not after the seeds).
 */
import { join } from 'node:path';
import { ExportError, exportOnnx, exportPytorch, type ExportBundle } from '@tensorloom/export';
import type { GNN } from '@tensorloom/gnn';
import { UsageError, stringOption, type CommandContext, type OptionSpec, type OptionValues } from '../cli.js';
import { checkWholeOutputFolder } from '../output-paths.js';
import { writeBundle } from './export.js';

export const EXPORT_FORMATS = ['all', 'pytorch', 'onnx'] as const;

export const GNN_EXPORT_OPTIONS: Record<string, OptionSpec> = {
  export: {
    type: 'string',
    description:
      'Export the trained model of the seed with the best validation accuracy into DIR: DIR/pytorch (model.py, safetensors, ' +
      'config.json) and DIR/onnx (model.onnx, config.json).',
    valueName: 'DIR',
  },
  'export-format': { type: 'string', description: `What --export writes: ${EXPORT_FORMATS.join(', ')} (default: all)`, valueName: 'NAME' },
  'export-pyg': {
    type: 'boolean',
    description: "--export's model.py uses PyTorch Geometric's GCNConv/GATConv instead of its own (same weights).",
  },
  'export-overwrite': { type: 'boolean', description: 'Replace the --export folder when it is not empty (refused otherwise).' },
};

export interface GnnExportPlan {
  dir: string;
  formats: ('pytorch' | 'onnx')[];
  pyg: boolean;
  overwrite: boolean;
}

/** The `--export` flags, checked (undefined without `--export`); `probe` is an untrained model the exporters must accept. */
export function gnnExportPlan(values: OptionValues, probe: () => GNN): GnnExportPlan | undefined {
  const dir = stringOption(values, 'export');
  const given = ['export-format', 'export-pyg', 'export-overwrite'].filter((flag) => values[flag] !== undefined);
  if (dir === undefined) {
    if (given.length > 0) throw new UsageError(`--${given[0]} applies with --export DIR only`);
    return undefined;
  }
  const format = String(values['export-format'] ?? 'all');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--export-format must be one of ${EXPORT_FORMATS.join(', ')}, got '${format}'`);
  const formats = format === 'all' ? (['pytorch', 'onnx'] as const) : ([format] as const);
  const plan: GnnExportPlan = {
    dir,
    formats: [...formats] as GnnExportPlan['formats'],
    pyg: values['export-pyg'] === true,
    overwrite: values['export-overwrite'] === true,
  };
  if (plan.pyg && !plan.formats.includes('pytorch'))
    throw new UsageError('--export-pyg applies to the PyTorch export, not --export-format onnx');
  checkWholeOutputFolder(dir, 'export', plan.overwrite);
  const model = probe();
  for (const format of plan.formats) {
    try {
      bundleFor(model, format, plan, {});
    } catch (error) {
      if (error instanceof ExportError) throw new UsageError(`--export: ${error.message}`);
      throw error;
    }
  }
  return plan;
}

function bundleFor(model: GNN, format: 'pytorch' | 'onnx', plan: GnnExportPlan, metadata: Record<string, unknown>): ExportBundle {
  return format === 'pytorch' ? exportPytorch(model, { pyg: plan.pyg, metadata }) : exportOnnx(model, { metadata });
}

/** Writes the trained `model` as the plan says; returns the folders and files for the JSON result. */
export async function exportGnn(
  model: GNN,
  plan: GnnExportPlan,
  metadata: Record<string, unknown>,
  ctx: CommandContext,
): Promise<Record<string, unknown>> {
  const written: Record<string, unknown> = {};
  for (const format of plan.formats) {
    const out = plan.formats.length === 1 ? plan.dir : join(plan.dir, format);
    written[format] = await writeBundle(bundleFor(model, format, plan, metadata), out, plan.overwrite, ctx);
  }
  return written;
}
