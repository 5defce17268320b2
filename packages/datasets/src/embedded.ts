/** Internal: the embedded data modules, loaded on first use (each is its own chunk in a bundle). */
import { parseSafetensors, type SafetensorsContents } from '@tensorloom/core-tensor';

/** The Planetoid graphs, each a base64 safetensors file (see scripts/build-data.ts). */
export const GRAPH_MODULES = {
  cora: () => import('./data/cora.js'),
  citeseer: () => import('./data/citeseer.js'),
  pubmed: () => import('./data/pubmed.js'),
} as const;

/** The text corpora, each the text itself. */
export const TEXT_MODULES = {
  'tiny-shakespeare': () => import('./data/tiny-shakespeare.js'),
  'grimms-fairy-tales': () => import('./data/grimms-fairy-tales.js'),
} as const;

/** Standard base64 to bytes, with `atob` (Node ≥ 16 and every browser). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The tensors and metadata of an embedded graph. */
export async function embeddedGraph(name: keyof typeof GRAPH_MODULES): Promise<SafetensorsContents> {
  const module = await GRAPH_MODULES[name]();
  return parseSafetensors(decodeBase64(module.default));
}

/** An embedded text. */
export async function embeddedText(name: keyof typeof TEXT_MODULES): Promise<string> {
  return (await TEXT_MODULES[name]()).default;
}
