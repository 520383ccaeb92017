import { type RequestHandler, type Response, Router } from 'express';
import type { Catalog } from '../catalog/catalog.js';
import { requireJson } from '../http/json-body.js';
import { type Cart, addItem, priceCart, removeItem, setQuantity } from './cart.js';
import { addItemBody, parseInput, parsePathSku, setQuantityBody } from './cart-input.js';
import { type CartModel, DEFAULT_CART_MODEL } from './cart-versions.js';
import { REPLAYED_HEADER, idempotencyKey, idempotentRequest } from './idempotency-key.js';
import { priceSaved } from './saved-routes.js';
import { type CartChange, changeCart, readCart, readSaved } from './session-cart.js';

/**
 * The shop's cart API. Every answer, changes included, is the whole priced cart:
 * `{ servedBy, currency, lines: [{ sku, name, qty, price, lineTotal }], total, count }`.
 * Requests that change nothing (reads, removing what is not there) write nothing, so they never
 * create a session.
 *
 * Every write accepts an `Idempotency-Key`: the change is made once per key and session, and a
 * retry with the same key gets the first answer again (`Idempotent-Replayed: true`), whichever
 * replica it reaches. See `session-cart.ts` for where the key is kept. With durable writes a
 * retry is answered only once the first attempt's change is on enough replicas: otherwise it
 * gets the 503 SESSION_NOT_REPLICATED the first attempt got, never a 201 a failover could undo.
 */
export function cartRoutes(
  catalog: Catalog,
  instanceId: string,
  withSession: RequestHandler,
  changesChannel: string,
  { version, lineFormat }: CartModel = DEFAULT_CART_MODEL,
): Router {
  const router = Router();
  const send = (res: Response, cart: Cart, status = 200, servedBy = instanceId): void => {
    res.status(status).json({ servedBy, ...priceCart(cart, catalog) });
  };
  const answer = (res: Response, change: CartChange): void => {
    if (change.replayed) res.setHeader(REPLAYED_HEADER, 'true');
    send(res, change.cart, change.status, change.servedBy);
  };
  const keyed = idempotencyKey();

  router.get('/api/cart', withSession, (req, res) => {
    if (version === 1) return send(res, readCart(req.session));
    // Cart v2 answers with the saved-for-later list too (saved-routes.ts).
    const { lines, saved } = readSaved(req.session);
    res.json({
      servedBy: instanceId,
      ...priceCart(lines, catalog),
      saved: priceSaved(saved, catalog),
    });
  });

  // 201 when the sku got a new line, 200 when an existing line grew.
  router.post('/api/cart/items', keyed, requireJson(), withSession, async (req, res) => {
    const input = parseInput(addItemBody, req.body);
    const { sku, qty } = input;
    catalog.require(sku);
    const idempotent = idempotentRequest(req, input);
    const change = await changeCart(
      req.session,
      (cart) => addItem(cart, sku, qty),
      changesChannel,
      {
        servedBy: instanceId,
        version,
        lineFormat,
        idempotent,
        status: (cart) => (cart.find((line) => line.sku === sku)?.qty === qty ? 201 : 200),
      },
    );
    if (change.status === 201) res.location(`/api/cart/items/${sku}`);
    answer(res, change);
  });

  router.patch('/api/cart/items/:sku', keyed, requireJson(), withSession, async (req, res) => {
    const sku = parsePathSku(req.params.sku, 'sku');
    const input = parseInput(setQuantityBody, req.body);
    catalog.require(sku);
    const idempotent = idempotentRequest(req, input);
    const change = await changeCart(
      req.session,
      (cart) => setQuantity(cart, sku, input.qty),
      changesChannel,
      { servedBy: instanceId, version, lineFormat, idempotent },
    );
    answer(res, change);
  });

  // Idempotent (nginx may retry a DELETE on another replica): removing an absent line is a 200.
  // Without a key, or in a session this request just started, that 200 writes nothing; with a
  // key in an existing session the key is remembered, so a late retry of this DELETE cannot
  // remove a line the shopper added again in between.
  router.delete('/api/cart/items/:sku', keyed, withSession, async (req, res) => {
    const sku = parsePathSku(req.params.sku, 'sku');
    catalog.require(sku);
    const idempotent = idempotentRequest(req, null);
    const loaded = readCart(req.session);
    const noOp = !loaded.some((line) => line.sku === sku);
    if (noOp && (!idempotent || req.session.isNew)) return send(res, loaded);
    answer(
      res,
      await changeCart(req.session, (current) => removeItem(current, sku), changesChannel, {
        servedBy: instanceId,
        version,
        lineFormat,
        idempotent,
      }),
    );
  });

  router.delete('/api/cart', keyed, withSession, async (req, res) => {
    const idempotent = idempotentRequest(req, null);
    const loaded = readCart(req.session);
    if (loaded.length === 0 && (!idempotent || req.session.isNew)) return send(res, loaded);
    answer(
      res,
      await changeCart(req.session, () => [], changesChannel, {
        servedBy: instanceId,
        version,
        lineFormat,
        idempotent,
      }),
    );
  });

  return router;
}
