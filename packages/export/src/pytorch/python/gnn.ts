/**
 * The Python side of `@tensorloom/gnn`: the `GNN` stack, and `GCNConv` / `GATConv` without PyTorch
 * Geometric (gathers, `index_add` and `scatter_reduce`), under PyG's parameter names.
 */
import type { PythonDefinition } from '../spec.js';

/** tensorloom's `GNN`: dropout, convolution and activation per layer. */
export const GNN_PY: PythonDefinition = {
  name: 'GNN',
  source: String.raw`_ACTIVATIONS = {'relu': F.relu, 'elu': F.elu, 'tanh': torch.tanh, 'identity': lambda x: x}


class GNN(nn.Module):
    """tensorloom's GNN (@tensorloom/gnn: GNN, GCN, GAT), a stack of graph convolutions:

        h = act(conv_l(dropout(h), edge_index))   for every layer but the last
        logits = conv_L(dropout(h), edge_index)   [N, out_channels]

    The dropout is input_dropout on the features and dropout before the later layers, in training
    mode, when dropout_placement is 'layer-input'; with 'per-head' the GATConv layers drop inside
    (a mask per head on their input, and on the features the attention weighs), as tensorloom.
    forward(x [N, F] float, edge_index [2, E] int (row 0 sources, row 1 targets)) -> [N, C].
    """

    def __init__(self, convs, act='relu', dropout=0.5, input_dropout=None, dropout_placement='layer-input'):
        super().__init__()
        self.convs = convs
        self.act = act
        self.dropout = dropout
        self.input_dropout = dropout if input_dropout is None else input_dropout
        self.dropout_placement = dropout_placement

    def forward(self, x, edge_index):
        edge_index = edge_index.long()
        activation = _ACTIVATIONS[self.act]
        for layer, conv in enumerate(self.convs):
            if self.dropout_placement == 'layer-input':
                x = F.dropout(x, self.input_dropout if layer == 0 else self.dropout, self.training)
            x = conv(x, edge_index)
            if layer < len(self.convs) - 1:
                x = activation(x)
        return x`,
};

/** PyG's `gcn_norm` as tensorloom's `gcnNorm` computes it, and the layer on it. */
export const GCN_CONV_PY: PythonDefinition = {
  name: 'GCNConv',
  source: String.raw`def gcn_norm(edge_index, num_nodes, edge_weight=None, add_self_loops=True, improved=False, dtype=torch.float32):
    """The edges and coefficients of D^-1/2 (A + I) D^-1/2 (tensorloom's gcnNorm, PyG's gcn_norm):
    every node without a self-loop gets one of weight 1 (2 when improved); a node with loops keeps
    one, with the weight of its last; duplicate edges are kept; the degree is summed over each
    node's incoming edges (targets), and a node of degree 0 gets 0."""
    src, dst = edge_index[0], edge_index[1]
    device = src.device
    if edge_weight is None:
        edge_weight = torch.ones(src.numel(), dtype=dtype, device=device)
    if add_self_loops:
        fill = 2.0 if improved else 1.0
        is_loop = src == dst
        loop_weight = torch.full((num_nodes,), fill, dtype=edge_weight.dtype, device=device)
        if bool(is_loop.any()):
            position = torch.arange(src.numel(), device=device)
            last = torch.full((num_nodes,), -1, dtype=torch.long, device=device)
            last = last.scatter_reduce(0, src[is_loop], position[is_loop], reduce='amax', include_self=True)
            loop_weight = torch.where(last >= 0, edge_weight[last.clamp(min=0)], loop_weight)
        keep = ~is_loop
        nodes = torch.arange(num_nodes, device=device)
        src = torch.cat([src[keep], nodes])
        dst = torch.cat([dst[keep], nodes])
        edge_weight = torch.cat([edge_weight[keep], loop_weight])
    degree = torch.zeros(num_nodes, dtype=edge_weight.dtype, device=device).index_add(0, dst, edge_weight)
    zero = degree == 0
    inv_sqrt = torch.where(zero, torch.zeros_like(degree), torch.where(zero, torch.ones_like(degree), degree).rsqrt())
    return torch.stack([src, dst]), inv_sqrt[src] * edge_weight * inv_sqrt[dst]


class GCNConv(nn.Module):
    """Kipf & Welling's graph convolution (tensorloom's GCNConv, PyG's GCNConv, PyG's names):

        x_i' = lin(sum over j -> i, self-loop included, of e_ji / sqrt(d_j d_i) * x_j) + bias

    lin.weight [out, in] (no bias in lin), bias [out]. forward(x [N, in], edge_index [2, E],
    edge_weight [E] or None) -> [N, out]. With cached the normalised edges of the first call are
    reused for every later one (one fixed graph).
    """

    def __init__(self, in_channels, out_channels, improved=False, cached=False, add_self_loops=True, normalize=True, bias=True):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.improved = improved
        self.cached = cached
        self.add_self_loops = add_self_loops
        self.normalize = normalize
        self.lin = nn.Linear(in_channels, out_channels, bias=False)
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_channels))
        else:
            self.register_parameter('bias', None)
        self._cache = None

    def forward(self, x, edge_index, edge_weight=None):
        num_nodes = x.size(0)
        if self.cached and self._cache is not None:
            edge_index, weight = self._cache
        else:
            edge_index = edge_index.long()
            weight = edge_weight
            if self.normalize:
                edge_index, weight = gcn_norm(edge_index, num_nodes, edge_weight, self.add_self_loops, self.improved, x.dtype)
            if self.cached:
                self._cache = (edge_index, None if weight is None else weight.detach())
        h = self.lin(x)
        messages = h[edge_index[0]]
        if weight is not None:
            messages = messages * weight.unsqueeze(-1)
        out = torch.zeros(num_nodes, h.size(1), dtype=h.dtype, device=h.device).index_add(0, edge_index[1], messages)
        return out if self.bias is None else out + self.bias`,
};

/** The graph-attention layer of tensorloom (PyG's, plus the GAT authors' options). */
export const GAT_CONV_PY: PythonDefinition = {
  name: 'GATConv',
  source: String.raw`def segment_softmax(scores, index, num_segments):
    """softmax of scores [E, H] over the entries that share an index (a node's incoming edges)."""
    expanded = index.unsqueeze(-1).expand_as(scores)
    maximum = torch.full((num_segments, scores.size(1)), float('-inf'), dtype=scores.dtype, device=scores.device)
    # the shift only keeps exp() finite: no gradient needed through it
    maximum = maximum.scatter_reduce(0, expanded, scores.detach(), reduce='amax', include_self=False)
    exp = (scores - maximum[index]).exp()
    total = torch.zeros(num_segments, scores.size(1), dtype=scores.dtype, device=scores.device).index_add(0, index, exp)
    return exp / total[index]


class GATConv(nn.Module):
    """Graph attention (tensorloom's GATConv, PyG's GATConv and names), per head h:

        e_ij  = LeakyReLU(att_src . lin(x)_j + att_src_bias + att_dst . lin(x)_i + att_dst_bias)
        a_ij  = softmax over j -> i (one self-loop per node: existing ones removed, one added)
        x_i'  = concat_h (or mean_h) of sum_j a_ij lin(x)_j, + bias

    lin.weight [H*C, in], att_src and att_dst [1, H, C], bias [H*C] (concat) or [C]; with
    attention_bias also att_src_bias and att_dst_bias [H] (the GAT authors' code). In training mode
    dropout acts on a (dropout), on the input with a mask per head (per_head_input_dropout) and on
    the features the attention weighs (feature_dropout).
    """

    def __init__(self, in_channels, out_channels, heads=1, concat=True, negative_slope=0.2, dropout=0.0,
                 add_self_loops=True, bias=True, cached=False, per_head_input_dropout=0.0, feature_dropout=0.0,
                 attention_bias=False):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.heads = heads
        self.concat = concat
        self.negative_slope = negative_slope
        self.dropout = dropout
        self.add_self_loops = add_self_loops
        self.cached = cached
        self.per_head_input_dropout = per_head_input_dropout
        self.feature_dropout = feature_dropout
        self.lin = nn.Linear(in_channels, heads * out_channels, bias=False)
        self.att_src = nn.Parameter(torch.zeros(1, heads, out_channels))
        self.att_dst = nn.Parameter(torch.zeros(1, heads, out_channels))
        if attention_bias:
            self.att_src_bias = nn.Parameter(torch.zeros(heads))
            self.att_dst_bias = nn.Parameter(torch.zeros(heads))
        else:
            self.register_parameter('att_src_bias', None)
            self.register_parameter('att_dst_bias', None)
        if bias:
            self.bias = nn.Parameter(torch.zeros(heads * out_channels if concat else out_channels))
        else:
            self.register_parameter('bias', None)
        self._cache = None

    def project(self, x):
        if not self.training or self.per_head_input_dropout == 0:
            return self.lin(x)
        c = self.out_channels
        weight = self.lin.weight
        parts = [F.linear(F.dropout(x, self.per_head_input_dropout, True), weight[h * c:(h + 1) * c]) for h in range(self.heads)]
        return torch.cat(parts, dim=1)

    def forward(self, x, edge_index):
        num_nodes = x.size(0)
        if self.cached and self._cache is not None:
            edge_index = self._cache
        else:
            edge_index = edge_index.long()
            if self.add_self_loops:
                nodes = torch.arange(num_nodes, device=edge_index.device)
                keep = edge_index[0] != edge_index[1]
                edge_index = torch.cat([edge_index[:, keep], torch.stack([nodes, nodes])], dim=1)
            if self.cached:
                self._cache = edge_index
        src, dst = edge_index[0], edge_index[1]
        h = self.project(x).view(num_nodes, self.heads, self.out_channels)
        score_src = (h * self.att_src).sum(-1)
        score_dst = (h * self.att_dst).sum(-1)
        if self.att_src_bias is not None:
            score_src = score_src + self.att_src_bias
            score_dst = score_dst + self.att_dst_bias
        scores = F.leaky_relu(score_src[src] + score_dst[dst], self.negative_slope)
        alpha = F.dropout(segment_softmax(scores, dst, num_nodes), self.dropout, self.training)
        values = F.dropout(h, self.feature_dropout, self.training) if self.feature_dropout > 0 else h
        out = torch.zeros_like(values).index_add(0, dst, values[src] * alpha.unsqueeze(-1))
        out = out.reshape(num_nodes, -1) if self.concat else out.mean(dim=1)
        return out if self.bias is None else out + self.bias`,
};

/**
 * PyTorch Geometric before 2.5 names a GATConv's shared linear map `lin_src` and `lin_dst`, not
 * `lin`: the weights file's `lin.weight` goes to both.
 */
export const PYG_GAT_NAMES_PY: PythonDefinition = {
  name: 'pyg_gat_names',
  source: String.raw`def _pyg_gat_names(model, state):
    """Renames <conv>.lin.weight for a PyG GATConv that has lin_src / lin_dst instead of lin (PyG < 2.5)."""
    state = dict(state)
    for name, module in model.named_modules():
        prefix = f'{name}.' if name else ''
        legacy = getattr(module, 'lin', None) is None and getattr(module, 'lin_src', None) is not None
        if type(module).__name__ == 'GATConv' and legacy and f'{prefix}lin.weight' in state:
            weight = state.pop(f'{prefix}lin.weight')
            state[f'{prefix}lin_src.weight'] = weight
            state[f'{prefix}lin_dst.weight'] = weight
    return state


STATE_DICT_ADAPTERS.append(_pyg_gat_names)`,
};
