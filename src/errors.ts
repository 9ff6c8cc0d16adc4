// The one error model: every failure the API reports is an AppError with a code from this table, answered
// as {"error": {"code", "message", "details"?}} with the table's status.
import type { ErrorBody } from './schemas/errors.ts';

export const errorStatus = {
  invalid_json: 400,
  /** A form route's body that cannot be read as a form (a multipart body without its parts, say). */
  invalid_form: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  email_taken: 409,
  lot_full: 409,
  vehicle_already_parked: 409,
  invalid_transition: 409,
  spots_in_use: 409,
  user_has_active_reservation: 409,
  last_admin: 409,
  delivery_pending: 409,
  webhook_disabled: 409,
  /** Joining the waitlist of a lot that has a free spot: book it directly (POST /reservations). */
  lot_not_full: 409,
  already_waiting: 409,
  offer_expired: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  database_unavailable: 503,
  /** A setting of the Worker is wrong; the reason is in the log (and named by /health). */
  service_misconfigured: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }

  get status(): (typeof errorStatus)[ErrorCode] {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
