/**
 * The TypeScript code blocks of the site's Markdown pages, as the snippet test runs them.
 *
 * A block is a fence of three or more backticks whose info string starts with `ts` or `typescript`
 * (VitePress's `ts{1,3}` line highlights and `ts:line-numbers` included). Every such block is run:
 * code that cannot run alone (a fragment) belongs in another fence (`js`, `sh`, plain text).
 */

/** One TypeScript block of a page. */
export interface Snippet {
  /** The page, relative to the docs root (`guide/gcn.md`). */
  page: string;
  /** 1-based position of the block among the page's TypeScript blocks. */
  index: number;
  /** 1-based line of the opening fence. */
  line: number;
  /** The block's code, without the fences, dedented by the fence's indentation. */
  code: string;
}

const OPENING = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
const TYPESCRIPT = /^(ts|typescript)(?=$|[{:])/;

/** The TypeScript blocks of one Markdown page, in order. */
export function extractSnippets(markdown: string, page: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, lang] = open as unknown as [string, string, string, string];
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end]!)) end++;
    if (TYPESCRIPT.test(lang)) {
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
      snippets.push({
        page,
        index: snippets.length + 1,
        line: i + 1,
        code: body.join('\n') + '\n',
      });
    }
    i = end;
  }
  return snippets;
}
