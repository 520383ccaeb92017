/**
 * A section of BENCHMARKS.md that one side bench (`npm run bench:near-cache`, …) owns: it sits
 * between HTML comment markers, so that bench can rewrite it alone and the full bench, which
 * rewrites everything else, can carry it over.
 */
export class MarkedSection {
  /** The marker's name (`near-cache`). */
  readonly name: string;
  /** The first line of the section; says which command writes it. */
  readonly begin: string;
  /** The last line of the section. */
  readonly end: string;
  /** What finds the section, whatever its begin marker says after the name (older wording too). */
  private readonly beginPrefix: string;

  /** `name` is the marker's (`near-cache`), `writtenBy` the command that writes the section. */
  constructor(name: string, writtenBy: string) {
    this.name = name;
    this.beginPrefix = `<!-- ${name}:begin`;
    this.begin = `${this.beginPrefix} (written by ${writtenBy}) -->`;
    this.end = `<!-- ${name}:end -->`;
  }

  /** `document` with this section replaced by `section`, or `section` appended when it has none. */
  replaceIn(document: string, section: string): string {
    const found = this.find(document);
    if (found) return document.slice(0, found.begin) + section + document.slice(found.end);
    return `${document.trimEnd()}\n\n${section}\n`;
  }

  /** This section of `document`, markers included, if it has one. */
  of(document: string): string | undefined {
    const found = this.find(document);
    return found ? document.slice(found.begin, found.end) : undefined;
  }

  private find(document: string): { begin: number; end: number } | undefined {
    const begin = document.indexOf(this.beginPrefix);
    const end = document.indexOf(this.end);
    return begin !== -1 && end > begin ? { begin, end: end + this.end.length } : undefined;
  }
}
