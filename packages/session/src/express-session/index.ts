export { BatonStore, type ListedSession } from './baton-store.js';
export {
  type BatonStoreOptions,
  type ResolvedBatonStoreOptions,
  DEFAULT_BATON_STORE_OPTIONS,
} from './store-options.js';
export { ttlOf } from './expiry.js';
