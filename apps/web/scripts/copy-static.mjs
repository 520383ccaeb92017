// Copies the UI's static files next to the compiled app.js and stamps each asset link in
// index.html with a content hash (`app.js?v=1a2b3c4d`), so the gateway may cache assets for a
// year while index.html itself is revalidated on every load.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
mkdirSync(dist, { recursive: true });
copyFileSync(`${src}styles.css`, `${dist}styles.css`);

let html = readFileSync(`${src}index.html`, 'utf8');
for (const asset of ['app.js', 'styles.css']) {
  const hash = createHash('sha256')
    .update(readFileSync(`${dist}${asset}`))
    .digest('hex')
    .slice(0, 12);
  const link = new RegExp(`(src|href)="${asset.replace('.', '\\.')}"`);
  if (!link.test(html)) throw new Error(`index.html does not link ${asset}`);
  html = html.replace(link, `$1="${asset}?v=${hash}"`);
}
writeFileSync(`${dist}index.html`, html);
console.log(`@baton/web: static files copied to ${dist}`);
