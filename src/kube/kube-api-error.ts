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

  static isNotFound(err: unknown): boolean {
    return err instanceof KubeApiError && err.statusCode === 404;
  }

  static isConflict(err: unknown): boolean {
    return err instanceof KubeApiError && err.statusCode === 409;
  }

  static isGone(err: unknown): boolean {
    return err instanceof KubeApiError && err.statusCode === 410;
  }

  static isForbidden(err: unknown): boolean {
    return err instanceof KubeApiError && err.statusCode === 403;
  }
}
