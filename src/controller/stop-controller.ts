// The AbortController a component stops with: every informer sync wait, delay and in-flight
// request listens on its signal once, so their number is what the component was declared with
// (a dozen informers and more once two controllers share a cache), not a leak. Node's leak warning
// past 10 listeners would only print noise at every start.
import { setMaxListeners } from 'node:events';

export function newStopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
