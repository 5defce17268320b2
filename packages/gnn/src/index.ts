// @tensorloom/gnn: message passing, graph convolution and attention layers, pooling, node-classification training.
export * from './layers.js';
export * from './training.js';
