import express, { type RequestHandler, type Response } from 'express';

/**
 * Serves the shop UI that `@baton/web` built. `index.html` is revalidated on every load
 * (`no-cache`), so a deploy shows at once; it links `app.js?v=<content hash>`, and such versioned
 * URLs are cached for a year. An unversioned asset is revalidated like the page. Only files that
 * exist are served: any other path falls through to the JSON 404.
 */
export function staticUi(webRoot: string): RequestHandler {
  return express.static(webRoot, {
    index: 'index.html',
    redirect: false,
    setHeaders(res: Response, path: string) {
      // The CSP and the other security headers come from securityHeaders(), for every response.
      if (path.endsWith('.html')) {
        res.setHeader('Cache-Control', 'no-cache');
      } else if (typeof res.req.query['v'] === 'string') {
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      } else {
        res.setHeader('Cache-Control', 'no-cache');
      }
    },
  });
}
