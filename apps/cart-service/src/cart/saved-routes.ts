import { type RequestHandler, type Response, Router } from 'express';
import type { Catalog } from '../catalog/catalog.js';
import { type Cart, priceCart } from './cart.js';
import { parsePathSku } from './cart-input.js';
import { DEFAULT_LINE_FORMAT, type LineFormat } from './line-format.js';
import { type CartWithSaved, forgetSaved, saveForLater } from './saved-for-later.js';
import { changeSaved, readSaved } from './session-cart.js';

/** A saved item as the API shows it: priced from the catalog like a cart line. */
export interface SavedView {
  sku: string;
  name: string;
  qty: number;
  price: number;
}

/**
 * Cart v2's "saved for later" routes (mounted only on a replica running CART_VERSION 2; a v1
 * replica answers them 404 like any route it does not have). Both answer the whole cart with
 * its saved list: `{ servedBy, currency, lines, total, count, saved: [{ sku, name, qty, price }] }`.
 *
 * - `PUT /api/cart/saved/:sku` moves the sku's line out of the cart onto the list (1 of it when
 *   the cart has none); already saved, nothing changes.
 * - `DELETE /api/cart/saved/:sku` takes it off the list; not on it, nothing is written.
 *
 * Both are the same change however often they arrive, so they need no Idempotency-Key (one the
 * gateway adds is accepted and not recorded).
 */
export function savedRoutes(
  catalog: Catalog,
  instanceId: string,
  withSession: RequestHandler,
  changesChannel: string,
  lineFormat: LineFormat = DEFAULT_LINE_FORMAT,
): Router {
  const router = Router();
  const send = (res: Response, cart: CartWithSaved): void => {
    res.json({
      servedBy: instanceId,
      ...priceCart(cart.lines, catalog),
      saved: priceSaved(cart.saved, catalog),
    });
  };

  router.put('/api/cart/saved/:sku', withSession, async (req, res) => {
    const sku = parsePathSku(req.params.sku, 'sku');
    catalog.require(sku);
    send(
      res,
      await changeSaved(req.session, (cart) => saveForLater(cart, sku), changesChannel, lineFormat),
    );
  });

  router.delete('/api/cart/saved/:sku', withSession, async (req, res) => {
    const sku = parsePathSku(req.params.sku, 'sku');
    catalog.require(sku);
    const loaded = readSaved(req.session);
    if (!loaded.saved.some((item) => item.sku === sku)) return send(res, loaded);
    send(
      res,
      await changeSaved(req.session, (cart) => forgetSaved(cart, sku), changesChannel, lineFormat),
    );
  });

  return router;
}

/** The saved list priced; skus that left the catalog are hidden, as cart lines are. */
export function priceSaved(saved: Cart, catalog: Catalog): SavedView[] {
  return priceCart(saved, catalog).lines.map(({ sku, name, qty, price }) => ({
    sku,
    name,
    qty,
    price,
  }));
}
