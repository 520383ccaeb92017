/**
 * The wire types of `GET /api/account/sessions`, in a module of their own (no imports) so the web
 * UI can import them as types (`@baton/account-service/session-view`) without pulling in Nest.
 */

/** One entry of `GET /api/account/sessions`. `id` is the public handle: it logs nobody in. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastAccessedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  /** The session that made this request. */
  current: boolean;
}

/** The body of `GET /api/account/sessions`: most recently active first. */
export interface SessionList {
  sessions: SessionView[];
}
