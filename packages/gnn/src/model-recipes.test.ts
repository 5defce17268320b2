import { ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { firstLayerOnly, recipeFor } from './model-recipes.js';
import { GAT, GCN, GNN, type ConvKind } from './models.js';

describe('recipeFor', () => {
  it("holds Kipf & Welling's GCN settings, with weight decay on the first layer only", () => {
    const recipe = recipeFor('gcn', 'CiteSeer');
    expect(recipe.dataset).toBe('citeseer');
    expect(recipe.normalizeFeatures).toBe(true);
    expect(recipe.architecture).toMatchObject({ conv: 'gcn', hiddenChannels: 16, numLayers: 2, dropout: 0.5, act: 'relu' });
    expect(recipe.training).toMatchObject({ epochs: 200, lr: 0.01, weightDecay: 5e-4, criterion: 'accuracy' });
    expect(recipe.training.weightDecayFilter).toBe(firstLayerOnly);
    const model = new GNN({ ...recipe.architecture, inChannels: 10, outChannels: 3 });
    const decayed = model
      .namedParameters()
      .filter(([name]) => firstLayerOnly(name))
      .map(([name]) => name);
    expect(decayed).toEqual(['convs.0.bias', 'convs.0.lin.weight']);
  });

  it("holds Veličković et al.'s GAT settings, with PubMed's own", () => {
    const cora = recipeFor('gat', 'cora');
    expect(cora.architecture).toMatchObject({
      conv: 'gat',
      hiddenChannels: 8,
      heads: 8,
      outHeads: 1,
      dropout: 0.6,
      attentionDropout: 0.6,
      act: 'elu',
      dropoutPlacement: 'per-head',
      attentionBias: true,
    });
    expect(cora.training).toMatchObject({ lr: 0.005, weightDecay: 5e-4, patience: 100, criterion: 'accuracy-and-loss' });
    expect(recipeFor('gat', 'CiteSeer').training.criterion).toBe('latest-accuracy');
    expect(recipeFor('gatv2', 'cora').training.criterion).toBe('loss');
    expect(recipeFor('gatv2', 'cora').architecture).not.toHaveProperty('dropoutPlacement');
    expect(recipeFor('gatv2', 'cora').architecture).not.toHaveProperty('attentionBias');
    expect(cora.training.weightDecayFilter).toBeUndefined();
    const pubmed = recipeFor('gat', 'pubmed');
    expect(pubmed.architecture).toMatchObject({ conv: 'gat', outHeads: 8 });
    expect(pubmed.training).toMatchObject({ lr: 0.01, weightDecay: 1e-3 });
  });

  it('is what GCN.paperRecipe and GAT.paperRecipe expose, frozen', () => {
    expect(GCN.paperRecipe).toEqual(recipeFor('gcn'));
    expect(GAT.paperRecipe).toEqual(recipeFor('gat', 'cora'));
    expect(Object.isFrozen(GCN.paperRecipe.training)).toBe(true);
    expect(() => {
      (GCN.paperRecipe.training as { lr: number }).lr = 1;
    }).toThrow(TypeError);
  });

  it.each<ConvKind>(['gcn', 'gat', 'gatv2', 'sage', 'gin'])('builds a %s model from its recipe', (conv) => {
    const recipe = recipeFor(conv);
    const model = new GNN({ ...recipe.architecture, inChannels: 12, outChannels: 4 });
    expect(model.conv).toBe(conv);
    expect(model.numLayers).toBe(2);
  });

  it('rejects an unknown model', () => {
    expect(() => recipeFor('cheb' as ConvKind)).toThrow(ValueError);
  });
});
