// The one error an API server's non-2xx answer becomes, whoever made the request (the client's
// reads and writes, the informers' lists and watches), with the Status reason and message it sent.
import { isRecord } from './kube-object.js';

/** A non-2xx answer from the Kubernetes API, carrying its Status reason and message. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    readonly body: unknown,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }

  /**
   * The error of an answer with this status code and body: the body's metav1.Status when it is one
   * (a watch's ERROR event carries its own `code`), the start of the text otherwise.
   */
  static fromResponse(statusCode: number, text: string, method: string, path: string): KubeApiError {
    const body = parseJson(text);
    const status = statusFields(body);
    return new KubeApiError(status.code ?? statusCode, status.reason ?? 'Unknown', status.message ?? text.slice(0, 500), body, method, path);
  }

  static isNotFound(err: unknown): boolean {
    return err instanceof KubeApiError && err.statusCode === 404;
  }

  static isConflict(err: unknown): boolean {
    return err instanceof KubeApiError && err.statusCode === 409;
  }

  static isForbidden(err: unknown): boolean {
    return err instanceof KubeApiError && err.statusCode === 403;
  }
}

/** The JSON value of a response body, or undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `code`, `reason` and `message` of a metav1.Status, tolerating anything else. */
export function statusFields(value: unknown): { code?: number; reason?: string; message?: string } {
  if (!isRecord(value)) return {};
  const status = value;
  return {
    ...(typeof status.code === 'number' && { code: status.code }),
    ...(typeof status.reason === 'string' && { reason: status.reason }),
    ...(typeof status.message === 'string' && { message: status.message }),
  };
}
