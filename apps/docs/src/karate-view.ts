/**
 * The karate club drawn with sigma.js: a fixed ForceAtlas2 layout, each member filled with the
 * club the model predicts, the two labelled leaders ringed in black, wrong predictions ringed in
 * red, and for GAT the friendships drawn as thick and dark as the first layer attends to them.
 * Browser only (WebGL): the demo component imports this module once it is mounted.
 */
import { createNodeBorderProgram } from '@sigma/node-border';
import Graph from 'graphology';
import { circular } from 'graphology-layout';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import { CLUB_COLORS, LEADER_RING, UNKNOWN_COLOR, WRONG_RING } from './karate-colors';
import type { KarateGraph } from './karate-training';

const EDGE_COLOR = 'rgba(90, 90, 90, 0.45)';

/** A disc of the node's `color` inside a ring of `borderColor`, `borderSize` pixels wide. */
const BorderedNode = createNodeBorderProgram({
  borders: [
    { size: { attribute: 'borderSize', defaultValue: 1, mode: 'pixels' }, color: { attribute: 'borderColor' } },
    { size: { fill: true }, color: { attribute: 'color' } },
  ],
});

export class KarateView {
  private readonly graph = new Graph({ type: 'undirected' });
  private readonly renderer: Sigma;

  constructor(
    container: HTMLElement,
    private readonly karate: KarateGraph,
  ) {
    const { nodes, edges, trainNodes, labels, classNames } = karate;
    const degree = new Array<number>(nodes.length).fill(0);
    for (const [a, b] of edges) {
      degree[a]!++;
      degree[b]!++;
    }
    nodes.forEach((key, row) => {
      const leader = trainNodes.includes(row);
      this.graph.addNode(key, {
        label: leader ? `${classNames[labels[row]!]} (${key})` : key,
        size: leader ? 14 : 5 + 1.2 * Math.sqrt(degree[row]!),
      });
    });
    edges.forEach(([a, b], e) => this.graph.addEdgeWithKey(`e${e}`, nodes[a]!, nodes[b]!));
    // Deterministic: ForceAtlas2 has no randomness and starts from the circle of the members in order.
    circular.assign(this.graph);
    forceAtlas2.assign(this.graph, { iterations: 400, settings: { ...forceAtlas2.inferSettings(this.graph), gravity: 2 } });
    this.showPredictions(null);
    this.showAttention(null);
    this.renderer = new Sigma(this.graph, container, {
      defaultNodeType: 'bordered',
      nodeProgramClasses: {
        bordered: BorderedNode,
      },
      // Only the leaders' and the wrong members' labels stay on; hovering a member shows its number.
      labelRenderedSizeThreshold: Infinity,
      labelSize: 13,
      labelWeight: 'bold',
      enableCameraZooming: false,
      enableCameraPanning: false,
      stagePadding: 24,
    });
  }

  /**
   * Fills each member with its predicted club (null: none yet, grey but for the leaders) and rings
   * and numbers the wrong ones.
   */
  showPredictions(predictions: readonly number[] | null): void {
    const { nodes, trainNodes, labels } = this.karate;
    nodes.forEach((key, row) => {
      const predicted = predictions?.[row];
      const leader = trainNodes.includes(row);
      const wrong = predicted !== undefined && predicted !== labels[row];
      // Before the first prediction the leaders show the clubs they are labelled with.
      const club = predicted ?? (leader ? labels[row] : undefined);
      this.graph.mergeNodeAttributes(key, {
        color: club === undefined ? UNKNOWN_COLOR : CLUB_COLORS[club],
        borderColor: wrong ? WRONG_RING : leader ? LEADER_RING : '#ffffff',
        borderSize: wrong ? 3.5 : leader ? 3 : 1,
        forceLabel: leader || wrong,
      });
    });
  }

  /**
   * Draws each friendship as thick and dark as its attention (relative to the largest), or all
   * alike for null.
   */
  showAttention(attention: readonly number[] | null): void {
    const largest = attention ? Math.max(...attention) : 0;
    this.karate.edges.forEach((_, e) => {
      const share = attention && largest > 0 ? attention[e]! / largest : null;
      this.graph.mergeEdgeAttributes(
        `e${e}`,
        share === null
          ? { size: 1.5, color: EDGE_COLOR }
          : { size: 0.6 + 6 * share, color: `rgba(55, 65, 81, ${(0.12 + 0.78 * share).toFixed(3)})` },
      );
    });
  }

  kill(): void {
    this.renderer.kill();
  }
}
