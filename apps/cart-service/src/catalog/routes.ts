import { Router } from 'express';
import { CURRENCY, type Catalog } from './catalog.js';

/** `GET /api/catalog`. Deliberately sessionless: it keeps answering while Valkey is down. */
export function catalogRoutes(catalog: Catalog, instanceId: string): Router {
  const router = Router();
  router.get('/api/catalog', (_req, res) => {
    res.json({ servedBy: instanceId, currency: CURRENCY, products: catalog.products });
  });
  return router;
}
