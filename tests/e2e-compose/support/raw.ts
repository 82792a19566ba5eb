// Raw TCP clients for what fetch never sends: odd request lines, unfinished heads and bodies,
// and a PostgreSQL readiness probe from the host. Loopback only; every wait is bounded.
import { connect, type Socket } from 'node:net';

export interface Exchange {
  /** Everything the server sent, latin1. */
  text: string;
  /** The status of every response in `text`, interim 1xx left out. */
  statuses: number[];
  /** The server closed the connection within the wait. */
  closed: boolean;
}

export function statusesOf(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1])).filter((s) => s >= 200);
}

/** Sends `data` as it is and collects the answer until the server closes or `waitMs` passes. */
export function rawExchange(port: number, data: string | Buffer, waitMs = 5_000): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, statuses: statusesOf(text), closed });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.write(data);
  });
}

export const request = (lines: string[], body = '') => `${lines.join('\r\n')}\r\n\r\n${body}`;

export interface Held {
  socket: Socket;
  /** Bytes of `head` + body written so far. */
  sent: () => number;
  received: () => string;
  status: () => number;
  header: (name: string) => string | undefined;
}

/**
 * Opens a connection and writes `head` then `bytes` more bytes of filler, and never finishes:
 * an unfinished header when `head` has no blank line, an unfinished body when it declares more.
 * Write errors (the server closed first) are expected and ignored.
 */
export function hold(port: number, head: string, bytes: number): Held {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = '';
  let sent = 0;
  socket.on('data', (d) => (received += d.toString('latin1')));
  socket.write(head);
  sent += Buffer.byteLength(head);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let left = bytes;
  const pump = () => {
    while (left > 0 && !socket.destroyed && socket.writable) {
      const piece = chunk.subarray(0, Math.min(chunk.length, left));
      left -= piece.length;
      sent += piece.length;
      if (!socket.write(piece)) return void socket.once('drain', pump);
    }
  };
  pump();
  return {
    socket,
    sent: () => sent,
    received: () => received,
    status: () => statusesOf(received)[0] ?? 0,
    header: (name) => new RegExp(`^${name}:\\s*([^\\r\\n]*)`, 'im').exec(received.split('\r\n\r\n')[0])?.[1],
  };
}

/**
 * Whether PostgreSQL on `port` accepts a session: a StartupMessage answered with an
 * authentication request ('R'), not with an error ('E', "the database system is starting up")
 * or a refused connection. What pg_isready checks, from the host, in one round trip.
 */
export function pgAccepting(port: number, user: string, database: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
    const message = Buffer.alloc(8 + params.length);
    message.writeInt32BE(message.length, 0);
    message.writeInt32BE(196608, 4); // protocol 3.0
    params.copy(message, 8);
    const socket = connect(port, '127.0.0.1');
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.once('data', (d) => finish(d[0] === 0x52));
    socket.write(message);
  });
}
