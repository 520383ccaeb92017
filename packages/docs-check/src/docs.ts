import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParsedMarkdown, parseMarkdown } from './markdown.js';

/** The repository root (this file is `packages/docs-check/dist/src/docs.js`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** One document the check reads: its path (absolute) and what was parsed from it. */
export interface Doc {
  path: string;
  text: string;
  parsed: ParsedMarkdown;
}

/**
 * Every `docs/*.md` file, plus every `README.md` a docs page links to (the package and app
 * READMEs the guide sends readers to are held to the same standard).
 */
export function collectDocs(root = REPO_ROOT): Doc[] {
  const docsDir = join(root, 'docs');
  const pages = readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(docsDir, name))
    .sort();
  const docs = pages.map(readDoc);
  const extra = new Set<string>();
  for (const doc of docs) {
    for (const link of doc.parsed.links) {
      const target = localTarget(doc.path, link.target);
      if (target && target.file.endsWith('README.md') && existsSync(target.file)) {
        if (!pages.includes(target.file)) extra.add(target.file);
      }
    }
  }
  return [...docs, ...[...extra].sort().map(readDoc)];
}

/** A broken link: where it is and why. */
export interface LinkProblem {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** Checks every relative link of one document: the file exists, and its anchor if any. */
export function checkLinks(doc: Doc, root = REPO_ROOT): LinkProblem[] {
  const problems: LinkProblem[] = [];
  for (const link of doc.parsed.links) {
    const target = localTarget(doc.path, link.target);
    if (!target) continue;
    const report = (reason: string): void => {
      problems.push({
        file: relative(root, doc.path),
        line: link.line,
        target: link.target,
        reason,
      });
    };
    if (!existsSync(target.file)) {
      report(`no such file: ${relative(root, target.file)}`);
      continue;
    }
    if (!target.anchor) continue;
    if (statSync(target.file).isDirectory()) {
      report('an anchor on a directory');
      continue;
    }
    const text = target.file === doc.path ? doc.text : readFileSync(target.file, 'utf8');
    const lines = /^L(\d+)(?:-L(\d+))?$/.exec(target.anchor);
    if (lines) {
      const count = text.split('\n').length;
      const last = Number(lines[2] ?? lines[1]);
      if (Number(lines[1]) < 1 || last > count)
        report(`line ${last} is past the end (${count} lines)`);
    } else if (target.file.endsWith('.md')) {
      const anchors = target.file === doc.path ? doc.parsed.anchors : parseMarkdown(text).anchors;
      if (!anchors.has(target.anchor)) report(`no heading with the anchor #${target.anchor}`);
    }
  }
  return problems;
}

/** @private */
function readDoc(path: string): Doc {
  const text = readFileSync(path, 'utf8');
  return { path, text, parsed: parseMarkdown(text) };
}

/**
 * @private The file (and anchor) a link points at, or undefined for links the check does not
 * follow: absolute URLs (`https:`, `mailto:`), and site-absolute paths.
 */
function localTarget(from: string, target: string): { file: string; anchor: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/')) return undefined;
  const [path = '', anchor = ''] = target.split('#', 2);
  const file = path === '' ? from : resolve(dirname(from), decodeURIComponent(path));
  return { file, anchor: decodeURIComponent(anchor) };
}
