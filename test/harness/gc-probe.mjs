// Loaded into an operator process with `--expose-gc --import` (tests of its memory): on SIGUSR2 it
// runs a full garbage collection and prints the heap then in use as one JSON line on stderr, so a
// test reads what the operator really holds rather than whatever garbage it has not collected yet.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  process.stderr.write(`${JSON.stringify({ msg: 'heap after gc', heapUsedBytes: process.memoryUsage().heapUsed })}\n`);
});
