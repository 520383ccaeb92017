import type { Lab } from './lab-run.js';
import { lostUpdates } from './labs/lost-updates.js';
import { versionSkew } from './labs/version-skew.js';
import { stickyKill } from './labs/sticky-kill.js';
import { stolenToken } from './labs/stolen-token.js';

/** Every lab, in the order docs/labs.md tells them. A new lab is a file in `labs/` and a line here. */
export const LABS: readonly Lab[] = [stickyKill, lostUpdates, stolenToken, versionSkew];

/** The list `npm run lab` prints: one line per lab, names padded to one column. */
export function listing(labs: readonly Lab[] = LABS): string {
  const width = Math.max(...labs.map((lab) => lab.name.length));
  return labs.map((lab) => `${lab.name.padEnd(width)}  ${lab.summary}`).join('\n');
}
