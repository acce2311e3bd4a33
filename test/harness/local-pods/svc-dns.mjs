// Test-only preload (`node --import <this file>?hosts=<table.json> ...`) for the runtime processes
// the node agent starts: in-cluster Service names (`x.ns.svc`, `x.ns.svc.cluster.local`) resolve
// to the Service's ClusterIP from the table the node agent keeps (there is no cluster DNS here).
// Any other name goes to the system resolver, unchanged. The runtime itself is not touched.
//
// It replaces dns.lookup (and dns.promises.lookup), which net.connect calls for every host name:
// Node's fetch (undici), http.request and everything built on them resolve through it. Only
// loopback addresses are ever answered: a table entry outside 127.0.0.0/8 is refused.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';

const table = new URL(import.meta.url).searchParams.get('hosts');
if (!table) throw new Error('svc-dns.mjs: import it as svc-dns.mjs?hosts=<path of the table>');

const SERVICE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.svc(\.cluster\.local)?$/;

/** The ClusterIP of a Service name, or an Error (ENOTFOUND, as getaddrinfo would fail). */
function resolveService(hostname) {
  let hosts = {};
  try {
    hosts = JSON.parse(readFileSync(table, 'utf8'));
  } catch {
    // Not written yet: nothing resolves.
  }
  const address = hosts[hostname];
  if (typeof address === 'string' && address.startsWith('127.')) return address;
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
}

function serviceName(hostname) {
  const name = String(hostname).toLowerCase().replace(/\.$/, '');
  return SERVICE_NAME.test(name) ? name : undefined;
}

const systemLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : (options ?? {});
  const name = serviceName(hostname);
  if (name === undefined) return systemLookup.call(this, hostname, options, callback);
  const result = resolveService(name);
  if (result instanceof Error) process.nextTick(cb, result);
  else if (opts.all) process.nextTick(cb, null, [{ address: result, family: 4 }]);
  else process.nextTick(cb, null, result, 4);
  return {};
};

const systemPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function lookup(hostname, options) {
  const name = serviceName(hostname);
  if (name === undefined) return systemPromiseLookup.call(this, hostname, options);
  const result = resolveService(name);
  if (result instanceof Error) throw result;
  return typeof options === 'object' && options !== null && options.all ? [{ address: result, family: 4 }] : { address: result, family: 4 };
};
