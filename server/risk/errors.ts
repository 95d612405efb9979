/** Errors raised by the risk functions: a stable code plus a message that says what to fix. */
export type RiskErrorCode =
  | 'RISK_BAD_INPUT'
  | 'RISK_UNKNOWN_ASSET'
  | 'RISK_NOT_POSITIVE_DEFINITE'
  | 'RISK_TOO_LITTLE_HISTORY';

export class RiskError extends Error {
  readonly code: RiskErrorCode;
  constructor(code: RiskErrorCode, message: string) {
    super(message);
    this.name = 'RiskError';
    this.code = code;
  }
}

export function badInput(message: string): RiskError {
  return new RiskError('RISK_BAD_INPUT', message);
}
