// Strided copies of the wasm backend (transposes and permutes of float32 tensors; the contract is
// on Backend in src/backend/backend.ts).
