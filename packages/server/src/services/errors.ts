/**
 * Expected failures of a use case, each with a stable code. One handler maps codes to HTTP
 * statuses and CLI exit codes; internals never leak.
 */
export type AppErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'PUPIL_NOT_FOUND'
  | 'GROUP_NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'REGISTER_CLOSED'
  | 'REGISTER_NOT_OPEN'
  | 'NOT_A_SCHOOL_SESSION'
  | 'CONFLICT'
  | 'REASON_REQUIRED'
  | 'TOO_MANY_ATTEMPTS';

export interface FieldError {
  /** The field, e.g. `marks.3.code`. */
  readonly field: string;
  readonly message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: { fields?: readonly FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  PUPIL_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  REGISTER_CLOSED: 409,
  REGISTER_NOT_OPEN: 409,
  NOT_A_SCHOOL_SESSION: 400,
  CONFLICT: 409,
  REASON_REQUIRED: 400,
  TOO_MANY_ATTEMPTS: 429,
};

/** CLI exit codes: 2 bad input, 3 not allowed, 4 not found, 5 conflict. */
export const EXIT_CODE: Record<AppErrorCode, number> = {
  VALIDATION: 2,
  NOT_A_SCHOOL_SESSION: 2,
  REASON_REQUIRED: 2,
  NOT_FOUND: 4,
  PUPIL_NOT_FOUND: 4,
  GROUP_NOT_FOUND: 4,
  FORBIDDEN: 3,
  UNAUTHENTICATED: 3,
  TOO_MANY_ATTEMPTS: 3,
  REGISTER_CLOSED: 5,
  REGISTER_NOT_OPEN: 5,
  CONFLICT: 5,
};
