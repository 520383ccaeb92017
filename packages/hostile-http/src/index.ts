export { type RawAnswer, type RawRequest, NoAnswerError, rawRequest } from './raw-request.js';
export {
  contentType,
  cookieHeader,
  hostileText,
  httpMethod,
  jsonishBody,
  pathSegment,
  percentEncode,
  tokenValue,
} from './arbitraries.js';
export {
  type WellBehavedOptions,
  errorCodeOf,
  expectWellBehaved,
  misbehaviour,
} from './answer-check.js';
export { oneLine } from './header-line.js';
export {
  type OversizedRequestOptions,
  assertOversizedBodiesRefused,
  oversizedRequest,
} from './oversized-bodies.js';
