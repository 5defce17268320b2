import { describe, expect, it } from 'vitest';
import { lineChartSvg, niceTicks } from './plot.js';

describe('lineChartSvg', () => {
  it('draws one polyline per series with a legend entry', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'a',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
        {
          name: 'b<c',
          points: [
            [0, 3],
            [1, 1],
          ],
        },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('b&lt;c');
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it('plots on a log scale with decade ticks and drops non-positive values', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logY: true,
      series: [
        {
          name: 'g',
          points: [
            [1, 1e-20],
            [2, 1e-10],
            [3, 1],
            [4, 0],
          ],
        },
      ],
    });
    const labels = [...svg.matchAll(/text-anchor="end">([^<]*)</g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (const label of labels) expect(label).toMatch(/^1e-?\d+$/);
    const exponents = labels.map((l) => Number(l.slice(2)));
    expect(Math.min(...exponents)).toBeLessThanOrEqual(-18);
    expect(Math.max(...exponents)).toBeGreaterThanOrEqual(-3);
    const points = svg
      .match(/points="([^"]*)"/)![1]!
      .trim()
      .split(' ');
    expect(points).toHaveLength(3);
  });

  it('puts the legend in the corner the lines cross least', () => {
    const legendBox = (points: [number, number][]) => {
      const svg = lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'curve', points }] });
      const [, x, y] = svg.match(/<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="[\d.]+" fill="white" fill-opacity/)!;
      return { right: Number(x) > 360, bottom: Number(y) > 200 };
    };
    const steps = Array.from({ length: 200 }, (_, i) => i);
    // A falling loss leaves the top right free; a rising accuracy crosses it and leaves the bottom right.
    expect(legendBox(steps.map((i) => [i, 1 / (1 + i)]))).toEqual({ right: true, bottom: false });
    expect(legendBox(steps.map((i) => [i, 1 - 1 / (1 + i)]))).toEqual({ right: true, bottom: true });
  });

  it('picks round tick values', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80]);
  });
});
