/** Rejects when `work` has not settled after `ms`; the benchmark must end by itself. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s waiting for ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Calls `report` every `ms` until the returned function is called. */
export function every(ms: number, report: () => void): () => void {
  const timer = setInterval(report, ms);
  return () => clearInterval(timer);
}
