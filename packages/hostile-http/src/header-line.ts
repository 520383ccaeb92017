/**
 * `text` made safe to send as a header value. The raw client writes header values as latin1
 * bytes (wider characters are cut to their low byte), so any character that would become CR or
 * LF, and end the header line early, is replaced by a space; everything else stays as hostile.
 */
export function oneLine(text: string): string {
  return Array.from(text, (c) => ([10, 13].includes(c.charCodeAt(0) & 0xff) ? ' ' : c)).join('');
}
