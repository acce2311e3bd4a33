// The tools offered to the model for one model call, built fresh each time from what is reachable
// now: an MCP server that came up since the last task has its tools offered; one that is down has
// its declared tools answer "unavailable" (so the model, and the user, learn why) instead of vanishing.
import { dynamicTool, jsonSchema, type ToolSet } from 'ai';
import { z } from 'zod';

import type { AgentToolSource } from './agent-tool-source.js';
import type { McpToolSource } from './mcp-tool-source.js';
import type { RuntimeMetrics } from './runtime-metrics.js';

export interface BuiltTools {
  tools: ToolSet;
  /** For the system message: servers whose tools are missing because they are down. */
  unavailable: string[];
}

const agentToolInput = z.object({ message: z.string().describe('The message to send to the agent.') });

export function buildToolSet(mcpSources: readonly McpToolSource[], agentSources: readonly AgentToolSource[], metrics: RuntimeMetrics): BuiltTools {
  const tools: ToolSet = {};
  const unavailable: string[] = [];
  const count = (tool: string, outcome: string) => metrics.toolCalls.inc({ tool, outcome });

  for (const source of mcpSources) {
    if (!source.ready) {
      const reason = source.unavailableReason ?? 'unavailable';
      unavailable.push(`MCP server ${source.id} (${reason})`);
      for (const name of source.declaredToolNames()) {
        if (tools[name] !== undefined) continue;
        tools[name] = dynamicTool({
          description: `Unavailable right now: MCP server ${source.id} cannot be reached.`,
          inputSchema: jsonSchema({ type: 'object' }),
          execute: () => {
            count(name, 'unavailable');
            return Promise.reject(new Error(`the MCP server ${source.id} providing ${name} is unavailable (${reason}); try again later`));
          },
        });
      }
      continue;
    }
    for (const mcpTool of source.tools()) {
      // First declaration wins: two servers offering one name would be ambiguous to the model.
      if (tools[mcpTool.name] !== undefined) continue;
      tools[mcpTool.name] = dynamicTool({
        description: mcpTool.description,
        inputSchema: jsonSchema({ type: 'object', ...mcpTool.inputSchema }),
        needsApproval: source.requiresApproval(mcpTool.name),
        execute: async (input, { abortSignal }) => {
          const args = typeof input === 'object' && input !== null && !Array.isArray(input) ? Object.fromEntries(Object.entries(input)) : {};
          let result;
          try {
            result = await source.call(mcpTool.name, args, abortSignal ?? new AbortController().signal);
          } catch (err) {
            count(mcpTool.name, 'error');
            throw err;
          }
          count(mcpTool.name, result.isError ? 'error' : 'ok');
          // A tool's own error goes back to the model as a tool error; the task goes on.
          if (result.isError) throw new Error(result.text || `tool ${mcpTool.name} failed`);
          return result.text;
        },
      });
    }
  }

  for (const source of agentSources) {
    if (tools[source.toolName] !== undefined) continue;
    tools[source.toolName] = dynamicTool({
      description: source.description,
      inputSchema: agentToolInput,
      needsApproval: source.config.requireApproval === true,
      execute: async (input, { abortSignal }) => {
        const { message } = agentToolInput.parse(input);
        try {
          const answer = await source.ask(message, abortSignal ?? new AbortController().signal);
          count(source.toolName, 'ok');
          return answer;
        } catch (err) {
          count(source.toolName, 'error');
          throw err;
        }
      },
    });
  }
  return { tools, unavailable };
}
