import { type RequestHandler, type Response, Router } from 'express';
import type { Catalog } from '../catalog/catalog.js';
import { requireJson } from '../http/json-body.js';
import { type Cart, addItem, priceCart, removeItem, setQuantity } from './cart.js';
import { addItemBody, parseInput, parsePathSku, setQuantityBody } from './cart-input.js';
import type { CartChangePublisher } from './cart-changes.js';
import { changeCart, readCart } from './session-cart.js';

/**
 * The shop's cart API. Every answer, changes included, is the whole priced cart:
 * `{ servedBy, currency, lines: [{ sku, name, qty, price, lineTotal }], total, count }`.
 * Requests that change nothing (reads, removing what is not there) write nothing, so they never
 * create a session.
 */
export function cartRoutes(
  catalog: Catalog,
  instanceId: string,
  withSession: RequestHandler,
  changes: CartChangePublisher,
): Router {
  const router = Router();
  const send = (res: Response, cart: Cart, status = 200): void => {
    res.status(status).json({ servedBy: instanceId, ...priceCart(cart, catalog) });
  };

  router.get('/api/cart', withSession, (req, res) => {
    send(res, readCart(req.session));
  });

  // 201 when the sku got a new line, 200 when an existing line grew.
  router.post('/api/cart/items', requireJson(), withSession, async (req, res) => {
    const { sku, qty } = parseInput(addItemBody, req.body);
    catalog.require(sku);
    const cart = await changeCart(req.session, (current) => addItem(current, sku, qty), changes);
    const created = cart.find((line) => line.sku === sku)?.qty === qty;
    if (created) res.location(`/api/cart/items/${sku}`);
    send(res, cart, created ? 201 : 200);
  });

  router.patch('/api/cart/items/:sku', requireJson(), withSession, async (req, res) => {
    const sku = parsePathSku(req.params.sku, 'sku');
    const { qty } = parseInput(setQuantityBody, req.body);
    catalog.require(sku);
    send(res, await changeCart(req.session, (current) => setQuantity(current, sku, qty), changes));
  });

  // Idempotent (nginx may retry a DELETE on another replica): removing an absent line is a 200.
  router.delete('/api/cart/items/:sku', withSession, async (req, res) => {
    const sku = parsePathSku(req.params.sku, 'sku');
    catalog.require(sku);
    const loaded = readCart(req.session);
    if (!loaded.some((line) => line.sku === sku)) return send(res, loaded);
    send(res, await changeCart(req.session, (current) => removeItem(current, sku), changes));
  });

  router.delete('/api/cart', withSession, async (req, res) => {
    const loaded = readCart(req.session);
    if (loaded.length === 0) return send(res, loaded);
    send(res, await changeCart(req.session, () => [], changes));
  });

  return router;
}
