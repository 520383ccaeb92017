import { type RequestHandler, Router } from 'express';
import type { Catalog } from '../catalog/catalog.js';
import { addItem, itemNames } from './cart.js';
import { parsePathSku } from './cart-input.js';
import { type CartModel, DEFAULT_CART_MODEL } from './cart-versions.js';
import { REPLAYED_HEADER, idempotencyKey, idempotentRequest } from './idempotency-key.js';
import { changeCart, readCart } from './session-cart.js';

/**
 * The article's `CartController`, route for route:
 *
 * ```
 * POST /cart/:item  → { servedBy, sessionId, cart }
 * GET  /cart        → { servedBy, cart }
 * ```
 *
 * `cart` is the item names in the order they were added. Unlike the article, which accepts any
 * string, `:item` must be a catalog sku (404 `UNKNOWN_ITEM` otherwise): both route families share
 * one cart, and the shop cannot price a "banana-phone".
 */
export function demoRoutes(
  catalog: Catalog,
  instanceId: string,
  withSession: RequestHandler,
  changesChannel: string,
  { version, lineFormat }: CartModel = DEFAULT_CART_MODEL,
): Router {
  const router = Router();

  // Accepts an Idempotency-Key like the shop's writes (see routes.ts).
  router.post('/cart/:item', idempotencyKey(), withSession, async (req, res) => {
    const item = parsePathSku(req.params.item, 'item');
    catalog.require(item, 'item');
    const idempotent = idempotentRequest(req, null);
    const change = await changeCart(req.session, (cart) => addItem(cart, item, 1), changesChannel, {
      servedBy: instanceId,
      version,
      lineFormat,
      idempotent,
    });
    if (change.replayed) res.setHeader(REPLAYED_HEADER, 'true');
    // The public handle (a hash of the token): the token itself never appears in a body.
    res.json({
      servedBy: change.servedBy,
      sessionId: req.session.id,
      cart: itemNames(change.cart, catalog),
    });
  });

  router.get('/cart', withSession, (req, res) => {
    res.json({ servedBy: instanceId, cart: itemNames(readCart(req.session), catalog) });
  });

  return router;
}
