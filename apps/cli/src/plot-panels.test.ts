import { describe, expect, it } from 'vitest';
import { stackedChartsSvg } from './plot-panels.js';

describe('stackedChartsSvg', () => {
  it('stacks one panel per chart, each at its own height', () => {
    const chart = (title: string) => ({
      title,
      xLabel: 'step',
      yLabel: 'y',
      series: [
        {
          name: 's',
          points: [
            [0, 1],
            [1, 2],
          ] as [number, number][],
        },
      ],
    });
    const svg = stackedChartsSvg({ charts: [chart('loss'), chart('accuracy')], panelHeight: 200 });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="720" height="400"/);
    expect(svg).toContain('<svg x="0" y="0" ');
    expect(svg).toContain('<svg x="0" y="200" ');
    expect(svg.match(/<svg /g)).toHaveLength(3);
    expect(svg).toContain('>accuracy</text>');
  });
});
