/** Zachary's karate club: graphology-generators' graph, through `@tensorloom/graph`'s `karateClub`. */
import { karateClub, type GraphDataset, type KarateClubOptions } from '@tensorloom/graph';

/**
 * Zachary's karate club (Zachary 1977; 34 members, 78 friendships, the two clubs after the split)
 * as graphology-generators builds it: `karateClub` of `@tensorloom/graph`, here beside the other
 * datasets. The split is one labelled leader per club (nodes 0 and 33), the other 32 for testing.
 *
 * @example
 * const karate = await loadKarateClub();
 * karate.classNames;      // ['Mr. Hi', 'Officer']
 */
export async function loadKarateClub(options: KarateClubOptions = {}): Promise<GraphDataset> {
  return karateClub(options);
}
