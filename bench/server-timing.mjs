// Loaded with `node --import` into the server child of benchmarks (c) and (d): times every HTTP
// request inside the server, from the moment Node has parsed its headers
// (`http.server.request.start`) to the end of its response (`http.server.response.finish`),
// through Node's diagnostics channels, so nothing in the application changes. The bench asks for
// the timings over the IPC channel; the channel is unref'd so it never keeps the server alive.
import { subscribe } from 'node:diagnostics_channel';

if (typeof process.send === 'function') {
  const started = new WeakMap();
  let timings = [];
  // How long the event loop was held by work that would not yield (for the bench's "stalls"): a
  // timer every 10 ms that finds more than 25 ms since the last tick saw the loop held for the
  // difference. (Every 10 ms, not every 1: with a 1 ms timer an idle server used 45 ms of CPU a
  // second, against 16 ms with this one.)
  let stalls = [];
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 25) stalls.push({ endedAt: Date.now(), ms: now - last - 10 });
    last = now;
  }, 10).unref();
  subscribe('http.server.request.start', ({ request }) => {
    started.set(request, performance.now());
  });
  subscribe('http.server.response.finish', ({ request, response }) => {
    const t0 = started.get(request);
    if (t0 === undefined) return;
    const q = request.url.indexOf('?');
    timings.push({
      method: request.method,
      path: q === -1 ? request.url : request.url.slice(0, q),
      status: response.statusCode,
      ms: performance.now() - t0,
    });
  });
  process.on('message', (m) => {
    if (m && m.type === 'rollcall-bench:timings') {
      process.send({ type: 'rollcall-bench:timings', timings, stalls });
      timings = [];
      stalls = [];
    }
  });
  process.channel?.unref();
}
