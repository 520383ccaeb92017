// The built shop UI, for the gateway to serve: `npm run build -w @baton/web` fills dist/.
import { URL, fileURLToPath } from 'node:url';

/** Absolute path of the folder holding index.html, app.js and styles.css (with a trailing slash). */
export const webRoot = fileURLToPath(new URL('./dist/', import.meta.url));
