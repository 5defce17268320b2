/** Safetensors files by hand, for the tests: a framed header and buffer, and a file's header read back. */

/** A file from a header (object or raw JSON text) and buffer bytes, framed as the format says. */
export function rawFile(header: unknown, buffer: ArrayLike<number> = [], options: { rawHeader?: Uint8Array } = {}): Uint8Array {
  const json = options.rawHeader ?? new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

export function headerOf(bytes: Uint8Array): { length: number; text: string; json: Record<string, unknown> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  return { length, text, json: JSON.parse(text) as Record<string, unknown> };
}
