/**
 * Model selection for node classification: which validation figure keeps the weights and drives
 * early stopping (`SelectionCriterion`), and the rule that applies it epoch by epoch (`ModelSelector`).
 */

/**
 * Which validation figure selects the kept weights and drives early stopping.
 * - `'accuracy'`: higher validation accuracy; an equal accuracy with a lower validation loss also
 *   counts (PyG's examples keep the first best accuracy; the tie-break only refines that).
 * - `'loss'`: lower validation loss.
 * - `'accuracy-and-loss'`: the GAT reference code's rule: the weights are kept when the accuracy
 *   is ≥ its best and the loss ≤ its best at once; the patience counter restarts when either
 *   reaches its best (each tracked on its own).
 * - `'latest-accuracy'`: validation accuracy ≥ its best, so a tie goes to the later epoch and
 *   restarts the patience (the rule the GAT authors give for CiteSeer, PetarV-/GAT issue 14).
 */
export type SelectionCriterion = 'accuracy' | 'loss' | 'accuracy-and-loss' | 'latest-accuracy';

/** Every `SelectionCriterion`, in the order the docs list them (for option parsers and help texts). */
export const SELECTION_CRITERIA: readonly SelectionCriterion[] = Object.freeze([
  'accuracy',
  'loss',
  'accuracy-and-loss',
  'latest-accuracy',
]);

/**
 * The selection rule of `trainNodeClassifier`: tracks the best validation figures and decides, per
 * epoch, whether to keep the weights (`keep`) and whether the patience restarts (`progress`).
 * Exported so that a rule can be replayed on recorded histories (the package's
 * `scripts/compare-selection.ts`).
 * @example
 * const selector = new ModelSelector('loss');
 * selector.offer(0.8, 0.6)  // { keep: true, progress: true }
 */
export class ModelSelector {
  private bestAccuracy = -Infinity;
  private bestLoss = Infinity;

  constructor(private readonly criterion: SelectionCriterion) {}

  /** `keep`: this epoch's weights become the selected ones; `progress`: the patience restarts. */
  offer(accuracy: number, loss: number): { keep: boolean; progress: boolean } {
    switch (this.criterion) {
      case 'accuracy': {
        const better = accuracy > this.bestAccuracy || (accuracy === this.bestAccuracy && loss < this.bestLoss);
        if (better) {
          this.bestAccuracy = accuracy;
          this.bestLoss = loss;
        }
        return { keep: better, progress: better };
      }
      case 'latest-accuracy': {
        const better = accuracy >= this.bestAccuracy;
        if (better) this.bestAccuracy = accuracy;
        return { keep: better, progress: better };
      }
      case 'loss': {
        const better = loss < this.bestLoss;
        if (better) this.bestLoss = loss;
        return { keep: better, progress: better };
      }
      case 'accuracy-and-loss': {
        const accuracyUp = accuracy >= this.bestAccuracy;
        const lossDown = loss <= this.bestLoss;
        this.bestAccuracy = Math.max(this.bestAccuracy, accuracy);
        this.bestLoss = Math.min(this.bestLoss, loss);
        return { keep: accuracyUp && lossDown, progress: accuracyUp || lossDown };
      }
    }
  }
}
