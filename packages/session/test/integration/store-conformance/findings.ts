/**
 * What the peers' stores do differently from express-session's documented Store contract, found
 * by running this suite against them. Each entry is asserted: the case must still fail on that
 * store, so a peer that changes its behaviour makes the suite say that the finding is stale.
 * Keyed by case title, then by subject name.
 */
export const FINDINGS: Record<string, Record<string, string>> = {
  'an expiry of 1.1 s ends the session at 1.1 s, not at a whole second (ms precision)': {
    'connect-redis':
      'Rounds the TTL up to whole seconds (SET … EX ceil(ms / 1000)), so a session outlives its cookie by up to 999 ms.',
  },
  'all() yields the sessions as an array, each with its id': {
    MemoryStore:
      "Yields an object keyed by sid, not the array express-session's README documents for all().",
  },
  'ids() lists the id of every session': {
    MemoryStore: 'Has no ids() (it is not part of the documented contract; connect-redis adds it).',
  },
  'emits disconnect and then connect when Valkey drops its connections': {
    'connect-redis':
      'Emits neither event, so express-session keeps calling it while the client is reconnecting instead of skipping the session.',
  },
  'a call fails within 3 s while Valkey does not answer, never hangs': {
    'connect-redis':
      'node-redis has no command timeout by default and connect-redis sets none: get() waits for as long as Valkey does not answer.',
  },
};
