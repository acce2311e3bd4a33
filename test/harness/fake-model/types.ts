// The vocabulary the fake model server and its three wire formats share: the turns a test scripts,
// the provider-independent view of a request, and the reply a turn becomes. Kept apart so each
// provider's wire file depends on these types only, never on the server or on each other.

export type Provider = 'openai' | 'anthropic' | 'gemini';

/** Optional on every turn: wait this long before answering (the client may disconnect meanwhile). */
export interface TurnTiming {
  delayMs?: number;
}

/** Answer with this text. Streamed as `chunks` nearly equal pieces, or one piece per word by default. */
export interface TextTurn extends TurnTiming {
  text: string;
  chunks?: number;
  /** Pause between streamed pieces, so a test can act while the stream is open. */
  chunkDelayMs?: number;
}

/** The model asks for these tools; the server numbers the calls call_1, call_2, … */
export interface ToolCallsTurn extends TurnTiming {
  toolCalls: Array<{ name: string; arguments: Record<string, unknown> }>;
}

/** Answer with an HTTP error: the provider's real error body unless `body` replaces it. */
export interface ErrorTurn extends TurnTiming {
  error: { status: number; message?: string; body?: unknown; headers?: Record<string, string> };
}

/**
 * Never finish (until the client disconnects or the server closes). A streaming request first
 * receives `partialText`, so a test can cancel in the middle of a streamed answer.
 */
export interface HangTurn extends TurnTiming {
  hang: true;
  partialText?: string;
}

/** The default turn, scriptable explicitly to give it a delay. */
export interface EchoTurn extends TurnTiming {
  echo: true;
}

export type Turn = TextTurn | ToolCallsTurn | ErrorTurn | HangTurn | EchoTurn;

export interface ToolResult {
  /** The tool call id the result answers (call_N when the call came from this server). */
  id: string | undefined;
  /** The tool's name: sent by Gemini, looked up from the assistant's call for the others. */
  name: string | undefined;
  /** The result as text, as the provider carried it (JSON outputs stay JSON text). */
  content: string;
}

/** What a request told the model, whichever provider's format carried it. */
export interface Conversation {
  /** The system message(s), joined by newlines; undefined when there is none. */
  system: string | undefined;
  /** The text of every user message that has text (tool-result-only messages are not user turns). */
  users: string[];
  toolResults: ToolResult[];
  /** Names of the tools offered to the model. */
  tools: string[];
  /** Every text of the prompt (system, user, assistant and tool-result texts), for token counting. */
  texts: string[];
}

/** A request as one provider's wire file reads it. */
export interface ParsedRequest {
  conversation: Conversation;
  model: string;
  stream: boolean;
  /** OpenAI only: usage is streamed only when `stream_options.include_usage` asked for it. */
  includeUsage: boolean;
}

export interface Usage {
  input: number;
  output: number;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** What a turn answers, before a wire format spells it. */
export type Reply =
  | { kind: 'text'; chunks: string[]; usage: Usage }
  | { kind: 'tool-calls'; calls: ToolCall[]; usage: Usage };

/** A streamed reply as SSE frames; `closing` is left out when a hang turn stops mid-stream. */
export interface StreamFrames {
  opening: string[];
  content: string[];
  closing: string[];
}

export interface Wire {
  provider: Provider;
  read(body: unknown, url: URL): ParsedRequest;
  json(reply: Reply, request: ParsedRequest, responseId: string): unknown;
  stream(reply: Reply, request: ParsedRequest, responseId: string): StreamFrames;
  errorBody(status: number, message: string): unknown;
}

export interface RecordedRequest {
  provider: Provider;
  method: string;
  /** The request target as sent: path and query (Azure's api-version is in the query). */
  path: string;
  /** Header names lower-cased; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The parsed JSON body (the raw text when it was not JSON). */
  body: unknown;
  model: string;
  stream: boolean;
  /** The client disconnected before the answer completed. */
  aborted: boolean;
  /** The answer was written completely. */
  finished: boolean;
}
