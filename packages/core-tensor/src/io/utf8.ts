/** UTF-8 validation for the loaders of every package (browser-safe, no dependencies). */

/**
 * The offset of the first byte of the first invalid UTF-8 sequence in `bytes`, or −1 when they are
 * all valid. "Invalid" is the Unicode / WHATWG definition: overlong forms, surrogates (U+D800–
 * U+DFFF), code points above U+10FFFF, stray continuation bytes and sequences cut short (also by
 * the end of the input) are all rejected.
 *
 * @example findInvalidUtf8(new Uint8Array([0x61, 0xc3, 0xa9, 0xb7])) // 3
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The allowed range of the second byte and the number of continuation bytes, per lead byte.
    let low = 0x80;
    let high = 0xbf;
    let continuation: number;
    if (b >= 0xc2 && b <= 0xdf) continuation = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      continuation = 2;
      if (b === 0xe0) low = 0xa0; // no overlong 3-byte forms
      if (b === 0xed) high = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      continuation = 3;
      if (b === 0xf0) low = 0x90; // no overlong 4-byte forms
      if (b === 0xf4) high = 0x8f; // nothing above U+10FFFF
    } else return i;
    if (i + continuation >= n) return i;
    const second = bytes[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k <= continuation; k++) {
      const next = bytes[i + k]!;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += continuation + 1;
  }
  return -1;
}
