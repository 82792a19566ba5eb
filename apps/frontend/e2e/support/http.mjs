import { readFileSync } from 'node:fs';
import http from 'node:http';

/** One raw HTTP request (any method, any path bytes), answered as { status, headers, body }. */
export function rawRequest(baseUrl, method, path, { headers = {}, body } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Streams `totalBytes` as a chunked POST (no Content-Length) and resolves with the
 * answer and how much had been written when it arrived.
 */
export function chunkedUpload(url, totalBytes) {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  let answered = false;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      const sentAtAnswer = sent;
      answered = true;
      clearInterval(pacer);
      req.end();
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, sentAtAnswer }));
    });
    // The server may close the connection right after answering; writes still in flight then fail.
    req.on('error', (error) => {
      clearInterval(pacer);
      if (answered) return;
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') return reject(error);
      setTimeout(() => reject(new Error(`connection closed (${error.code}) after ${sent} bytes without an answer`)), 5_000).unref();
    });
    // Paced at one 64 KiB chunk per 2 ms (at most ~32 MB/s), so the bytes sent before the answer
    // measure how much the server read before answering, not how fast this machine's loopback
    // and scheduler are: a server that buffers the whole 50 MB answers after >1.5 s of sending.
    let blocked = false;
    const pacer = setInterval(() => {
      if (blocked || answered) return;
      if (sent >= totalBytes) {
        clearInterval(pacer);
        req.end();
        return;
      }
      sent += chunk.length;
      if (!req.write(chunk)) {
        blocked = true;
        req.once('drain', () => (blocked = false));
      }
    }, 2);
  });
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMiB(pid) {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** WCAG relative-luminance contrast of two CSS rgb()/rgba() colours (alpha ignored: checked on opaque backgrounds). */
export function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
