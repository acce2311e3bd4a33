// A scripted language model on loopback HTTP that speaks the real OpenAI Chat Completions,
// Anthropic Messages and Gemini wire formats, so the agent runtime runs its real AI SDK providers
// against it. Models are the one dependency tests cannot have for real; everything else is real.
//
// Endpoints are matched by path suffix, so any base URL prefix works:
//   POST …/chat/completions                    OpenAI, OpenAI-compatible, Ollama /v1, Azure OpenAI
//                                              (…/openai/deployments/{deployment}/chat/completions?api-version=…)
//   POST …/messages                            Anthropic
//   POST …/{model}:generateContent             Gemini, and :streamGenerateContent?alt=sse
// Turns are answered first in, first out; with none scripted the answer is the echo (see echoText).
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { wires } from './fake-model/conversation.js';
import { echoText, textReply, toolCallsReply } from './fake-model/replies.js';
import type { ParsedRequest, RecordedRequest, Reply, Turn, Wire } from './fake-model/types.js';

export type {
  EchoTurn,
  ErrorTurn,
  HangTurn,
  Provider,
  RecordedRequest,
  TextTurn,
  ToolCallsTurn,
  ToolResult,
  Turn,
} from './fake-model/types.js';
export { systemMessage, toolNames, toolResults, userMessages } from './fake-model/conversation.js';
export { countWords, echoText } from './fake-model/replies.js';

function route(method: string | undefined, pathname: string): Wire | undefined {
  if (method !== 'POST') return undefined;
  if (pathname.endsWith('/chat/completions')) return wires.openai;
  if (pathname.endsWith('/messages')) return wires.anthropic;
  if (/:(?:stream)?generateContent$/i.test(pathname)) return wires.gemini;
  return undefined;
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Resolves after ms (never when undefined), or as soon as the client is gone: nothing is left to answer then. */
function pause(ms: number | undefined, gone: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (gone.aborted) return resolve();
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    gone.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      gone.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class FakeModelServer {
  /** Every model request, in order of arrival. */
  readonly requests: RecordedRequest[] = [];
  private readonly turns: Turn[] = [];
  private readonly changes = new EventEmitter();
  private callIds = 0;
  private responseIds = 0;

  private constructor(
    private readonly server: http.Server,
    /** e.g. http://127.0.0.1:40123; append the provider's usual prefix (/v1, /openai, /v1beta). */
    readonly url: string,
  ) {
    this.changes.setMaxListeners(0);
  }

  static async start(options: { port?: number } = {}): Promise<FakeModelServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake model: server has no TCP address');
    const fake = new FakeModelServer(server, `http://127.0.0.1:${address.port}`);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void fake.handle(req, res));
    return fake;
  }

  /** Queues turns; each request takes the next one. */
  script(...turns: Turn[]): this {
    this.turns.push(...turns);
    return this;
  }

  /** Forgets scripted turns, recorded requests and the call id counter. */
  reset(): void {
    this.turns.length = 0;
    this.requests.length = 0;
    this.callIds = 0;
    this.changed();
  }

  /** Scripted turns not yet taken by a request. */
  get turnsLeft(): number {
    return this.turns.length;
  }

  /** Requests still being answered whose client is still connected. */
  inFlight(): number {
    return this.requests.filter((request) => !request.finished && !request.aborted).length;
  }

  /** Resolves when the condition holds, re-checked on every arrival, finish and disconnect. */
  async waitFor(condition: (fake: FakeModelServer) => boolean, timeoutMs = 5000, what = 'a condition'): Promise<void> {
    if (condition(this)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition(this)) return;
        stop();
        resolve();
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`fake model: no ${what} within ${timeoutMs} ms (${this.requests.length} requests, ${this.inFlight()} in flight)`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.changes.off('change', check);
      };
      this.changes.on('change', check);
    });
  }

  /** Resolves with the recorded requests once at least n have arrived. */
  async waitForRequests(n: number, timeoutMs = 5000): Promise<RecordedRequest[]> {
    await this.waitFor((fake) => fake.requests.length >= n, timeoutMs, `${n} requests`);
    return [...this.requests];
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Hanging answers and keep-alive sockets would otherwise hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  private changed(): void {
    this.changes.emit('change');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const text = await readBody(req);
    const wire = route(req.method, url.pathname);
    if (wire === undefined) {
      const message = `fake model: no endpoint for ${req.method ?? '?'} ${url.pathname}`;
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(wires.openai.errorBody(404, message)));
      return;
    }
    const body = parseJson(text);
    const parsed = wire.read(body, url);
    const turn = this.turns.shift() ?? { echo: true };
    const record: RecordedRequest = {
      provider: wire.provider,
      method: req.method ?? 'POST',
      path: req.url ?? '/',
      headers: flatHeaders(req.headers),
      body,
      model: parsed.model,
      stream: parsed.stream,
      aborted: false,
      finished: false,
    };
    this.requests.push(record);
    const gone = new AbortController();
    res.on('finish', () => {
      record.finished = true;
      this.changed();
    });
    res.on('close', () => {
      if (!record.finished) record.aborted = true;
      gone.abort();
      this.changed();
    });
    this.changed();
    try {
      await this.answer(turn, wire, parsed, res, gone.signal);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(wire.errorBody(500, `fake model: ${String(error)}`)));
    }
  }

  private async answer(turn: Turn, wire: Wire, request: ParsedRequest, res: http.ServerResponse, gone: AbortSignal): Promise<void> {
    if (turn.delayMs !== undefined && turn.delayMs > 0) await pause(turn.delayMs, gone);
    if (gone.aborted) return;
    const conversation = request.conversation;

    if ('error' in turn) {
      const { status, message, body, headers } = turn.error;
      const payload = body ?? wire.errorBody(status, message ?? `fake model: scripted error ${status}`);
      const contentType = typeof payload === 'string' ? 'text/plain' : 'application/json';
      res.writeHead(status, { 'content-type': contentType, ...headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      return;
    }

    if ('hang' in turn) {
      if (request.stream && turn.partialText !== undefined) {
        const frames = wire.stream(textReply(turn.partialText, conversation), request, this.nextResponseId());
        this.openStream(res);
        for (const frame of [...frames.opening, ...frames.content]) res.write(frame);
      }
      await pause(undefined, gone);
      return;
    }

    let reply: Reply;
    if ('text' in turn) reply = textReply(turn.text, conversation, turn.chunks);
    else if ('toolCalls' in turn) reply = toolCallsReply(turn.toolCalls, conversation, () => `call_${++this.callIds}`);
    else reply = textReply(echoText(conversation), conversation);
    const responseId = this.nextResponseId();

    if (!request.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(wire.json(reply, request, responseId)));
      return;
    }
    const frames = wire.stream(reply, request, responseId);
    const chunkDelayMs = 'chunkDelayMs' in turn ? (turn.chunkDelayMs ?? 0) : 0;
    this.openStream(res);
    for (const frame of frames.opening) res.write(frame);
    for (const [index, frame] of frames.content.entries()) {
      if (index > 0 && chunkDelayMs > 0) await pause(chunkDelayMs, gone);
      if (gone.aborted) return;
      res.write(frame);
    }
    for (const frame of frames.closing) res.write(frame);
    res.end();
  }

  private openStream(res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Send the headers now: the client's stream starts before the first piece is due.
    res.flushHeaders();
  }

  private nextResponseId(): string {
    return `fake${++this.responseIds}`;
  }
}
