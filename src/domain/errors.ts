/**
 * The closed set of error codes a caller can receive. A broken rule is a FleetError with one of
 * these codes and a hint the agent can act on; an expected outcome (a claim conflict, an empty
 * queue) is a normal result, never an error.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_REGISTERED',
  'NOT_FOUND',
  'FORBIDDEN',
  'LEASE_LOST',
  'INVALID_STATE',
  'MISSING_EVIDENCE',
  'TOO_LARGE',
  'BUSY',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class FleetError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'FleetError';
  }
}

export const notFound = (what: string, id: string, hint?: string) =>
  new FleetError('NOT_FOUND', `${what} ${id} does not exist`, hint);

export const invalidState = (message: string, hint?: string, details?: Record<string, unknown>) =>
  new FleetError('INVALID_STATE', message, hint, details);

export const forbidden = (message: string, hint?: string) => new FleetError('FORBIDDEN', message, hint);

export const notRegistered = () =>
  new FleetError(
    'NOT_REGISTERED',
    'this session is not bound to an agent identity',
    'call register_agent with your name and role first (or resume with agent_id)',
  );
