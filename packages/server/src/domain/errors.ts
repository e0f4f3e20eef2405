import { StoreBusyError } from '../store/store.js';

/**
 * Every way a use case can refuse. Each API surface maps these codes to its own wire form
 * (a FASTPVA message, an SMS-Activate status word, an HTTP status...).
 */
export type DomainErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'INVALID_INPUT'
  | 'ALREADY_EXISTS'
  | 'NOT_FOUND'
  | 'PROJECT_NOT_FOUND'
  | 'COUNTRY_NOT_SUPPORTED'
  | 'CHANNEL_NOT_FOUND'
  | 'CHANNEL_UNAVAILABLE'
  | 'NO_NUMBERS'
  | 'INSUFFICIENT_BALANCE'
  | 'TOO_MANY_ACTIVE_ORDERS'
  | 'TOO_MANY_OPEN_RECHARGES'
  | 'ORDER_NOT_FOUND'
  /** The order has ended; it can no longer change. */
  | 'ORDER_ENDED'
  /** The order has had no SMS, and the change needs one (finish, request another SMS). */
  | 'ORDER_NOT_RECEIVED'
  /** An SMS has come, and the change needs none (5SIM cancel and ban refund nothing once the code is in). */
  | 'ORDER_HAS_SMS'
  /** No enabled project sells that service (in that country). */
  | 'SERVICE_NOT_OFFERED'
  /** Every offer of the service costs more than the customer's maximum price. */
  | 'PRICE_TOO_LOW'
  | 'RELEASE_TOO_EARLY'
  | 'UNKNOWN_NUMBER'
  | 'NUMBER_OWNED_ELSEWHERE'
  /** A live order is using the number. */
  | 'NUMBER_BUSY'
  | 'PAYMENT_METHOD_UNKNOWN'
  | 'RECHARGE_ALREADY_PAID'
  /** A race with another writer; nothing was written and the same call may succeed now. */
  | 'TRY_AGAIN';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Machine-readable specifics, e.g. the seconds left before a release is allowed. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/** Any error as a domain error where it is one; a store that stayed busy means "try again". */
export function asDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof StoreBusyError) return new DomainError('TRY_AGAIN', 'Please try again later');
  return undefined;
}
