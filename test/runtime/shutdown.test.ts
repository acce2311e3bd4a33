// SIGTERM, as the kubelet sends it: the runtime stops accepting connections at once, lets the task
// in flight finish (its client gets the answer), and exits 0; a task that outlives --shutdown-grace
// is canceled (its client is told), and the process still exits 0 within a bounded time.
import { connect } from 'node:net';

import { afterEach, describe, expect, it } from '@jest/globals';

import { FakeModelServer } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName, stateText, userText } from '../harness/a2a-wire.js';

let model: FakeModelServer | undefined;
let runtime: RuntimeProcess | undefined;

afterEach(async () => {
  await runtime?.kill();
  await model?.close();
  runtime = undefined;
  model = undefined;
});

/** Whether a new TCP connection to the port is refused right now. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('graceful SIGTERM', () => {
  it('refuses new connections, lets the task in flight complete, exits 0', async () => {
    model = await FakeModelServer.start();
    runtime = await RuntimeProcess.start({ config: agentConfig(model.url) });
    const client = await runtime.client();
    model.script({ text: 'finished during the shutdown', delayMs: 1500 });
    const inFlight = sendText(client, 'take your time');
    await model.waitFor((m) => m.inFlight() === 1, 5000, 'the model request');
    runtime.signal('SIGTERM');
    const port = runtime.port;
    await waitFor(() => refused(port), 3000, 20, 'new connections to be refused');
    const task = await inFlight;
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('finished during the shutdown');
    expect(await runtime.stop(10_000)).toBe(0);
    expect(runtime.logsMatching(/"msg":"agent runtime stopped"/)).toHaveLength(1);
  });

  it('a streamed task in flight streams to its end', async () => {
    model = await FakeModelServer.start();
    runtime = await RuntimeProcess.start({ config: agentConfig(model.url, { stream: true }) });
    const client = await runtime.client();
    model.script({ text: 'one two three four five six', chunks: 6, chunkDelayMs: 200 });
    const states: string[] = [];
    let pieces = 0;
    const done = (async () => {
      for await (const event of client.sendMessageStream({ tenant: '', message: userText('stream through the shutdown'), configuration: undefined, metadata: undefined })) {
        if (event.payload?.$case === 'artifactUpdate' && !event.payload.value.lastChunk) pieces += 1;
        if (event.payload?.$case === 'statusUpdate') states.push(stateText(event.payload.value.status?.state));
      }
    })();
    await model.waitFor((m) => m.inFlight() === 1, 5000, 'the model request');
    runtime.signal('SIGTERM');
    await done;
    expect(states[states.length - 1]).toBe('TASK_STATE_COMPLETED');
    expect(pieces).toBeGreaterThanOrEqual(3);
    expect(await runtime.stop(10_000)).toBe(0);
  });

  it('a task that outlives --shutdown-grace is canceled, its client told, and the process exits 0', async () => {
    model = await FakeModelServer.start();
    runtime = await RuntimeProcess.start({ config: agentConfig(model.url), args: ['--shutdown-grace', '1'] });
    const client = await runtime.client();
    model.script({ hang: true });
    const inFlight = sendText(client, 'this never ends');
    await model.waitFor((m) => m.inFlight() === 1, 5000, 'the model request');
    const signaled = Date.now();
    runtime.signal('SIGTERM');
    const task = await inFlight;
    expect(stateName(task)).toBe('TASK_STATE_CANCELED');
    expect(await runtime.stop(10_000)).toBe(0);
    // Far below the default 25 s grace: the 1 s grace, the answer's flush, the exit.
    expect(Date.now() - signaled).toBeLessThan(8000);
    await model.waitFor((m) => m.inFlight() === 0, 5000, 'the model request to be aborted');
    expect(model.requests[0]?.aborted).toBe(true);
    expect(runtime.logsMatching(/"event":"task_ended".*"state":"TASK_STATE_CANCELED"/)).toHaveLength(1);
  });

  it('with nothing in flight, exits 0 at once', async () => {
    model = await FakeModelServer.start();
    runtime = await RuntimeProcess.start({ config: agentConfig(model.url) });
    const signaled = Date.now();
    expect(await runtime.stop(10_000)).toBe(0);
    expect(Date.now() - signaled).toBeLessThan(5000);
  });
});
