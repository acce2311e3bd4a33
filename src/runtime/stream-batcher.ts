// Streamed text reaches the client in batches, not one event per token: each A2A artifact update
// makes the SDK load, append to and save the whole task, so one event per token costs time that
// grows with the square of the answer's length (1,000 tokens: about a second of CPU). The first piece
// goes out at once (time to first token is what a user sees); later ones are coalesced until
// `intervalMs` has passed since the last event, and whatever is pending goes out at the end or when
// the stream turns to something else (a tool call).
import { performance } from 'node:perf_hooks';

export const STREAM_BATCH_INTERVAL_MS = 40;

export class StreamBatcher {
  private pending = '';

  private lastSentAt: number | undefined;

  constructor(
    private readonly send: (text: string) => void,
    private readonly intervalMs = STREAM_BATCH_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(text: string): void {
    if (text === '') return;
    this.pending += text;
    if (this.lastSentAt === undefined || this.now() - this.lastSentAt >= this.intervalMs) this.flush();
  }

  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.lastSentAt = this.now();
    this.send(text);
  }
}
