// A lean HTTP/1.1 client for the load benchmarks: one keep-alive TCP connection per client, the
// request written as one buffer, the response read with a minimal parser (status line, headers,
// a Content-Length or chunked body). node:http's client costs about as much CPU per request as
// the server's whole handling of a trivial one, and the bench's clients share the machine's two
// cores with the server: measured here, 200 GET /healthz at once take a p99 of ~45 ms through
// node:http and ~23 ms through this. What a benchmark measures should be the server, not its
// load generator.
import net from 'node:net';

const CRLF2 = Buffer.from('\r\n\r\n');

export class RawConnection {
  /** @param {URL} url the server's base address */
  constructor(url) {
    this.host = url.hostname;
    this.port = Number(url.port);
    this.socket = null;
    this.pending = null;
    this.buffer = Buffer.alloc(0);
  }

  connect() {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.port, this.host, () => {
        socket.off('error', reject);
        socket.on('error', (e) => this.fail(e));
        resolve();
      });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.on('data', (chunk) => this.onData(chunk));
      socket.on('close', () => {
        this.socket = null;
        this.fail(new Error('the server closed the connection'));
      });
      this.socket = socket;
    });
  }

  fail(error) {
    const p = this.pending;
    this.pending = null;
    this.buffer = Buffer.alloc(0);
    p?.reject(error);
  }

  /** Sends one request (one at a time per connection); resolves to `{ status, text }`. */
  async request(method, path, headers = {}, body = '') {
    if (this.pending) throw new Error('one request at a time on a RawConnection');
    if (!this.socket) await this.connect();
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nConnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'content-length') head += `${k}: ${v}\r\n`;
    if (payload.length > 0 || method !== 'GET') head += `Content-Length: ${payload.length}\r\n`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(payload.length > 0 ? Buffer.concat([Buffer.from(`${head}\r\n`), payload]) : `${head}\r\n`);
    });
  }

  onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.pending) return;
    const end = this.buffer.indexOf(CRLF2);
    if (end < 0) return;
    const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(lines[0]?.split(' ')[1]);
    let length = -1;
    let chunked = false;
    let close = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
      else if (name === 'connection') close = value.toLowerCase() === 'close';
    }
    const start = end + 4;
    let body;
    let consumed;
    if (chunked) {
      const parts = [];
      let at = start;
      for (;;) {
        const lineEnd = this.buffer.indexOf('\r\n', at);
        if (lineEnd < 0) return; // more to come
        const size = parseInt(this.buffer.subarray(at, lineEnd).toString('latin1'), 16);
        if (!Number.isFinite(size)) return this.fail(new Error('bad chunk size in the response'));
        if (this.buffer.length < lineEnd + 2 + size + 2) return;
        if (size === 0) {
          consumed = lineEnd + 4;
          break;
        }
        parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const n = Math.max(0, length);
      if (this.buffer.length < start + n) return;
      body = this.buffer.subarray(start, start + n);
      consumed = start + n;
    }
    const p = this.pending;
    this.pending = null;
    this.buffer = this.buffer.subarray(consumed);
    if (close) this.socket?.destroy();
    p.resolve({ status, text: body.toString('utf8') });
  }

  close() {
    this.socket?.destroy();
    this.socket = null;
  }
}
