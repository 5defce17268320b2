import { describe, expect, it } from 'vitest';
import { stripGutenberg } from './gutenberg.js';

describe('stripGutenberg', () => {
  it('keeps the book between the start marker line and the footer that precedes the licence', () => {
    const file = [
      'The Project Gutenberg EBook of Tales',
      '*** START OF THIS PROJECT GUTENBERG EBOOK TALES ***',
      'Once upon a time.',
      'The end.',
      'End of Project Gutenberg’s Tales',
      '*** END OF THIS PROJECT GUTENBERG EBOOK TALES ***',
      'LICENSE ...',
    ].join('\n');
    const stripped = stripGutenberg(file)!;
    expect(stripped.text).toBe('Once upon a time.\nThe end.\n');
    expect(stripped.head + stripped.text.length + stripped.tail).toBe(file.length);
  });

  it(
    'finds the markers inside comment lines and with "THE", cuts at ' +
      'the END marker without a footer line, and leaves other texts alone',
    () => {
      const tex =
        '% *** START OF THE PROJECT GUTENBERG EBOOK CALCULUS ***   ' +
        '%\n\\section{Easy}\n*** END OF THE PROJECT GUTENBERG EBOOK CALCULUS ***\nlicence';
      expect(stripGutenberg(tex)!.text).toBe('\\section{Easy}\n');
      expect(stripGutenberg('Call me Ishmael. Project Gutenberg is mentioned here.')).toBeUndefined();
      const noFooter = '*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nbody';
      expect(stripGutenberg(noFooter)).toEqual({ text: 'body', head: noFooter.length - 4, tail: 0 });
    },
  );
});
