// The AI SDK's warnings (a setting the provider ignores, such as topP beside temperature on
// Claude) as the runtime's own JSON log lines. Left to itself the SDK writes them with
// console.info/console.warn: plain text in a stream of JSON lines, unscrubbed, once per model call.
// Here each distinct warning is logged once at warn level, repeats at debug.
import type { LogWarningsFunction, Warning } from 'ai';
import type { Logger } from 'pino';

export function routeModelWarnings(logger: Logger): void {
  const seen = new Set<string>();
  const log: LogWarningsFunction = ({ warnings, provider, model }) => {
    for (const warning of warnings) {
      const text = warningText(warning);
      const key = `${provider}\u0000${model}\u0000${text}`;
      const first = !seen.has(key);
      if (first) seen.add(key);
      const entry = { event: 'model_warning', provider, model, warning: text };
      if (first) logger.warn(entry, 'the model provider ignored or adapted a setting');
      else logger.debug(entry, 'the model provider ignored or adapted a setting');
    }
  };
  globalThis.AI_SDK_LOG_WARNINGS = log;
}

function warningText(warning: Warning): string {
  switch (warning.type) {
    case 'unsupported':
    case 'compatibility':
      return `${warning.feature}: ${warning.details ?? warning.type}`;
    case 'other':
      return warning.message;
    default:
      return JSON.stringify(warning);
  }
}
