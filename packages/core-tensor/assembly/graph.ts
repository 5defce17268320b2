// Float32 graph kernels of the wasm backend: gathers, scatters, the segment softmax and the sampled
// dense-dense product of attention layers (contracts on Backend in src/backend/backend.ts).
