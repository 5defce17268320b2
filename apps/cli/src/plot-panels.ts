/** Several line charts stacked into one SVG document (one panel per quantity, each with its own y axis). */
import { lineChartSvg, type ChartOptions } from './plot.js';

export interface PanelsOptions {
  /** The panels, top to bottom. */
  charts: readonly ChartOptions[];
  /** Width of every panel. Default 720. */
  width?: number;
  /** Height of each panel. Default 300. */
  panelHeight?: number;
}

/**
 * Renders each chart with `lineChartSvg` and stacks them vertically in one SVG (nested `<svg>`
 * elements), so quantities on different scales (loss, accuracy, bits per character) each get an
 * axis of their own.
 *
 * @example
 * writeFileSync('curves.svg', stackedChartsSvg({ charts: [lossChart, accuracyChart] }));
 */
export function stackedChartsSvg(options: PanelsOptions): string {
  const width = options.width ?? 720;
  const panelHeight = options.panelHeight ?? 300;
  const height = panelHeight * options.charts.length;
  const panels = options.charts.map((chart, i) =>
    lineChartSvg({ ...chart, width, height: panelHeight }).replace('<svg ', `<svg x="0" y="${i * panelHeight}" `),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    ...panels.map((p) => p.trimEnd()),
    '</svg>',
    '',
  ].join('\n');
}
