/** The text corpora, embedded: Karpathy's tiny-shakespeare and the course's Grimm's fairy tales. */
import { embeddedText } from './embedded.js';

/**
 * tiny-shakespeare (Karpathy's char-rnn `data/tinyshakespeare/input.txt`): 1,115,394 ASCII
 * characters of Shakespeare's plays, 65 distinct, 40,000 lines. Public domain.
 *
 * @example
 * const text = await loadTinyShakespeare();
 * text.slice(0, 14);      // 'First Citizen:'
 */
export function loadTinyShakespeare(): Promise<string> {
  return embeddedText('tiny-shakespeare');
}

/**
 * Grimm's fairy tales, the book of the UvA Deep Learning course's text generation assignment
 * (Project Gutenberg eBook #2591, Taylor & Edwardes' translation): 540,240 characters, 86 distinct,
 * as the course ships it, with Project Gutenberg's header and licence (the file's byte-order mark is
 * dropped). Public domain in the US. `stripGutenberg` of `@tensorloom/textgen` keeps only the book.
 *
 * @example
 * const text = await loadGrimmsFairyTales();
 * text.includes('Rapunzel'); // true
 */
export function loadGrimmsFairyTales(): Promise<string> {
  return embeddedText('grimms-fairy-tales');
}
