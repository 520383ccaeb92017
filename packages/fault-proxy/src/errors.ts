export type FaultProxyErrorCode =
  | 'LINK_NOT_FOUND'
  | 'LINK_PORT_CONFLICT'
  | 'LINK_PORT_IN_USE'
  | 'FAULT_PROXY_INPUT_INVALID'
  | 'FAULT_PROXY_UNREACHABLE';

/** Every error of this package: a stable `code`, and the HTTP status the control API answers. */
export class FaultProxyError extends Error {
  override readonly name = 'FaultProxyError';

  constructor(
    readonly code: FaultProxyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

const STATUS: Record<FaultProxyErrorCode, number> = {
  LINK_NOT_FOUND: 404,
  LINK_PORT_CONFLICT: 409,
  LINK_PORT_IN_USE: 409,
  FAULT_PROXY_INPUT_INVALID: 400,
  FAULT_PROXY_UNREACHABLE: 502,
};
