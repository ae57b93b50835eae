import { ApiError } from '../api';

/** A failure told in words, with the server's reason when there is one. */
export interface IProblem {
  reason: string;
  message: string;
  /** `namespace_mismatch`: the namespaces that own the object. */
  owners?: string[];
}

/** Turn anything thrown into a problem a person can read. */
export function toProblem(error: unknown): IProblem {
  if (error instanceof ApiError) {
    return {
      reason: error.reason,
      message: error.message,
      owners: error.body.namespaces
    };
  }
  return {
    reason: 'error',
    message: error instanceof Error ? error.message : String(error)
  };
}
