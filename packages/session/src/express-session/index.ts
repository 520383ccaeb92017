export { BatonStore, type ListedSession } from './baton-store.js';
export {
  type BatonStoreOptions,
  type ResolvedBatonStoreOptions,
  DEFAULT_BATON_STORE_OPTIONS,
} from './store-options.js';
export { ttlOf } from './expiry.js';
// The Express error handler without the Express adapter's `req.session` typing, which would clash
// with express-session's: store errors become `{ error: { code, message } }` with their status.
export { sessionErrorHandler } from '../express/error-handler.js';
