import type { ResultStatus } from '../alipay-plus';

/** Thrown by a sandbox handler to answer with a result other than S. */
export class ProtocolFailure extends Error {
  constructor(
    readonly resultCode: string,
    message: string,
    readonly resultStatus: ResultStatus = 'F',
  ) {
    super(message);
  }
}

/** Thrown by a test helper to answer with an HTTP error. */
export class HelperError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}
