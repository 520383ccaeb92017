/** A link found in a Markdown file: its target as written and the line it is on (1-based). */
export interface MarkdownLink {
  target: string;
  line: number;
}

/** A fenced code block: its info string (```` ```sh runnable ```` → `sh runnable`), body and line. */
export interface FencedBlock {
  info: string;
  code: string;
  line: number;
}

export interface ParsedMarkdown {
  links: MarkdownLink[];
  blocks: FencedBlock[];
  /** GitHub's anchor for each heading (`## The article's demo` → `the-articles-demo`). */
  anchors: Set<string>;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/;
const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const INLINE_CODE = /(`+)[^`]*?\1/g;

/**
 * Reads the parts of a Markdown file the docs check needs: links outside code (inline and
 * reference definitions), fenced blocks, and heading anchors. Deliberately small: the docs are
 * plain CommonMark, and a link inside a code block or an inline code span is not a link.
 */
export function parseMarkdown(text: string): ParsedMarkdown {
  const links: MarkdownLink[] = [];
  const blocks: FencedBlock[] = [];
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  let fence: { marker: string; info: string; line: number; body: string[] } | undefined;

  lines.forEach((raw, index) => {
    const line = index + 1;
    const fenceMatch = FENCE.exec(raw);
    if (fence) {
      const closes =
        fenceMatch &&
        fenceMatch[1]?.[0] === fence.marker[0] &&
        (fenceMatch[1]?.length ?? 0) >= fence.marker.length &&
        fenceMatch[2] === '';
      if (closes) {
        blocks.push({ info: fence.info, code: fence.body.join('\n'), line: fence.line });
        fence = undefined;
      } else {
        fence.body.push(raw);
      }
      return;
    }
    if (fenceMatch) {
      fence = {
        marker: fenceMatch[1] ?? '```',
        info: (fenceMatch[2] ?? '').trim(),
        line,
        body: [],
      };
      return;
    }
    const heading = HEADING.exec(raw);
    if (heading) {
      const slug = slugOf(heading[1] ?? '');
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    const definition = REFERENCE_DEFINITION.exec(raw);
    if (definition?.[1]) {
      links.push({ target: definition[1], line });
      return;
    }
    for (const match of raw
      .replace(INLINE_CODE, (code) => ' '.repeat(code.length))
      .matchAll(INLINE_LINK)) {
      if (match[1]) links.push({ target: match[1], line });
    }
  });
  if (fence) throw new Error(`unclosed code fence opened on line ${fence.line}`);
  return { links, blocks, anchors };
}

/** GitHub's heading anchor: lower case, markup and punctuation dropped, spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]/g, (c) => (c === '_' ? '_' : ''))
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Whether a block is to be run: info string `sh runnable` (or `bash runnable`). */
export function isRunnable(block: FencedBlock): boolean {
  const words = block.info.split(/\s+/);
  return (words[0] === 'sh' || words[0] === 'bash') && words.includes('runnable');
}

/** A block's own timeout (`sh runnable timeout=60`, seconds), else the default. */
export function timeoutMsOf(block: FencedBlock, defaultMs: number): number {
  const word = block.info.split(/\s+/).find((w) => w.startsWith('timeout='));
  const seconds = word ? Number(word.slice('timeout='.length)) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : defaultMs;
}
