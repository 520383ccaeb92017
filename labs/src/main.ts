/**
 * `npm run lab` lists the labs; `npm run lab -- <name>` runs one (exit 0: the demonstration held,
 * 1: it did not, 2: the lab could not run, or no lab has that name).
 */
import { LABS, listing } from './catalog.js';
import { runLab } from './lab-run.js';

const [name, ...extra] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h') {
  console.log(`${listing()}\n\nrun one with: npm run lab -- <name>`);
  process.exit(0);
}
const lab = LABS.find((candidate) => candidate.name === name);
if (!lab || extra.length > 0) {
  console.error(
    `${lab ? `${name} takes no arguments` : `no lab named "${name}"`}; the labs are:\n${listing()}`,
  );
  process.exit(2);
}
await runLab(lab);
