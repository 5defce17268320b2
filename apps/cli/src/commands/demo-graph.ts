/**
 * The graph part of `tensorloom demo`: GCN and GAT learn Zachary's karate club (embedded, always
 * available) from its two leaders alone, in a few seconds, and print how many of the other 32
 * members they place in the right club.
 */
import { GAT, GCN, recipeFor, runSeeds, type NodeClassifier } from '@tensorloom/gnn';
import { karateClub, normalizeFeatures } from '@tensorloom/graph';
import type { CommandContext } from '../cli.js';

export interface GraphDemoOptions {
  /** Training epochs of each model. Default 100. */
  epochs?: number;
  /** Seed of the initial weights and dropout masks. Default 0. */
  seed?: number;
}

/** One model's outcome in the demo. */
export interface GraphDemoModelResult {
  /** Accuracy on the 32 members that were not labelled. */
  testAccuracy: number;
  epochs: number;
  msPerEpoch: number;
  seconds: number;
}

export interface GraphDemoResult {
  dataset: 'karate';
  gcn: GraphDemoModelResult;
  gat: GraphDemoModelResult;
}

/**
 * Trains Kipf & Welling's GCN and Veličković et al.'s GAT (their paper architectures and
 * optimiser settings, fewer epochs) on the karate club with one labelled member per club, and
 * prints each model's test accuracy through `io.print` (`io.log` gets the setup line).
 *
 * @example
 * const { gcn, gat } = runGraphDemo(ctx);          // inside a command's run(values, ctx)
 * runGraphDemo({ print: console.log }, { epochs: 50 });
 */
export function runGraphDemo(
  io: Pick<CommandContext, 'print'> & Partial<Pick<CommandContext, 'log'>>,
  options: GraphDemoOptions = {},
): GraphDemoResult {
  const { epochs = 100, seed = 0 } = options;
  const karate = karateClub();
  const data = { ...karate, x: normalizeFeatures(karate.x) };
  const shape = { inChannels: data.numFeatures, outChannels: data.numClasses };
  io.log?.(
    `karate club: ${karate.numNodes} members, ${karate.edgeIndex.shape[1]! / 2} friendships; trained on ` +
      `the two leaders (${karate.classNames!.join(', ')}), tested on the other ${karate.testIndex.size}`,
  );
  const train = (name: 'gcn' | 'gat', build: () => NodeClassifier): GraphDemoModelResult => {
    const { training } = recipeFor(name, 'karate');
    const { perSeed, ms } = runSeeds(build, data, [seed], { ...training, epochs });
    const run = perSeed[0]!;
    const correct = Math.round(run.testAccuracy * karate.testIndex.size);
    io.print(
      `${name.toUpperCase().padEnd(3)}: test accuracy ${(run.testAccuracy * 100).toFixed(1)}% (${correct}/${karate.testIndex.size} ` +
        `members in the right club) after ${run.epochs} epochs, ${run.msPerEpoch.toFixed(1)} ms/epoch`,
    );
    return { testAccuracy: run.testAccuracy, epochs: run.epochs, msPerEpoch: run.msPerEpoch, seconds: ms / 1000 };
  };
  const gcn = train('gcn', () => new GCN(shape));
  const gat = train('gat', () => new GAT(shape));
  return { dataset: 'karate', gcn, gat };
}
