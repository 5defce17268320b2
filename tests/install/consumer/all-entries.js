// A page that uses every package's main entry: none may need a Node built-in.
import * as core from '@tensorloom/core-tensor';
import * as testing from '@tensorloom/core-tensor/testing';
import * as datasets from '@tensorloom/datasets';
import * as exporters from '@tensorloom/export';
import * as gnn from '@tensorloom/gnn';
import * as graph from '@tensorloom/graph';
import * as lstm from '@tensorloom/lstm';
import * as rnn from '@tensorloom/rnn';
import * as textgen from '@tensorloom/textgen';

export const modules = { core, testing, datasets, exporters, gnn, graph, lstm, rnn, textgen };
export const counts = Object.fromEntries(Object.entries(modules).map(([name, module]) => [name, Object.keys(module).length]));
