/**
 * Project Gutenberg files: the book without the header before the start marker and the licence
 * after the footer.
 */

/** The book inside a Gutenberg file and how many characters were cut before and after it. */
export interface GutenbergBook {
  /** The text between the start marker line and the footer. */
  text: string;
  /** Characters removed before the book (the header and the start marker line). */
  head: number;
  /** Characters removed after the book (the footer and the licence). */
  tail: number;
}

const GUTENBERG_START = /\*\*\*\s*START OF (?:THE|THIS) PROJECT GUTENBERG E(?:BOOK|TEXT)[^\n]*\n/i;
const GUTENBERG_END = /^[^\n]*?(?:End of (?:the )?Project Gutenberg|\*\*\*\s*END OF (?:THE|THIS) PROJECT GUTENBERG)/im;

/**
 * The book inside a Project Gutenberg file: the text after the `*** START OF THIS PROJECT
 * GUTENBERG EBOOK … ***` line and before the footer (`End of [the] Project Gutenberg…` or `*** END
 * OF THIS PROJECT GUTENBERG EBOOK`), which is followed by the licence. Undefined when the file has
 * no start marker. `head` and `tail` count the characters removed.
 *
 * Why: the course's books are Gutenberg files whose last 3–4 % is the licence, and the validation
 * split is the end of the text, so without this a third of Grimm's validation characters are legal
 * boilerplate the model barely sees in training.
 *
 * @example
 * const raw = readTextFile('grimms_fairy_tales.txt');
 * const text = stripGutenberg(raw)?.text ?? raw;  // 648 characters of header and 18,790 of licence left out
 */
export function stripGutenberg(text: string): GutenbergBook | undefined {
  const start = GUTENBERG_START.exec(text);
  if (start === null) return undefined;
  const from = start.index + start[0].length;
  const end = GUTENBERG_END.exec(text.slice(from));
  const to = end === null ? text.length : from + end.index;
  return { text: text.slice(from, to), head: from, tail: text.length - to };
}
