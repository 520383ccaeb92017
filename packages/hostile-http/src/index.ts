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
export { type WellBehavedOptions, errorCodeOf, misbehaviour } from './answer-check.js';
