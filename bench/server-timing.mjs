// Loaded with `node --import` into the server child of benchmarks (c) and (d): times every HTTP
// request inside the server, from the moment Node has parsed its headers
// (`http.server.request.start`) to the end of its response (`http.server.response.finish`),
// through Node's diagnostics channels, so nothing in the application changes. The bench asks for
// the timings over the IPC channel; the channel is unref'd so it never keeps the server alive.
import { subscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (typeof process.send === 'function') {
  const started = new WeakMap();
  let timings = [];
  // How long the event loop was held by work that would not yield (for the bench's "stalls"):
  // the longest delays since the last ask, and when they ended (Date.now()).
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let stalls = [];
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 15) stalls.push({ endedAt: Date.now(), ms: now - last });
    last = now;
  }, 1).unref();
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
      process.send({ type: 'rollcall-bench:timings', timings, stalls, loopMaxMs: loop.max / 1e6 });
      timings = [];
      stalls = [];
      loop.reset();
    }
  });
  process.channel?.unref();
}
