// The cluster DNS ("kube-dns" in kube-system): answers A queries for Service names with the
// IPs of ready pods only, and for StatefulSet pod names (<pod>.<service>). Other names are
// asked of the host's resolver; AAAA gets an empty answer (the pod network is IPv4).
import { createSocket, type Socket } from 'node:dgram';
import { promises as dnsp } from 'node:dns';

export type Lookup = (name: string) => string[] | undefined;

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (msg[i] !== 0) {
    const len = msg[i];
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

export function answer(query: Buffer, ips: string[] | undefined): Buffer {
  const { end } = readName(query, 12);
  const question = query.subarray(12, end + 4);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  const rd = query[2] & 0x01;
  header[2] = 0x84 | rd; // QR, AA, RD echoed
  header[3] = 0x80 | (ips === undefined ? 3 : 0); // RA, NXDOMAIN when the name does not exist
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ips?.length ?? 0, 6);
  const answers = (ips ?? []).map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(5, 6); // short TTL: readiness changes must show quickly
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, k) => (rr[12 + k] = Number(o)));
    return rr;
  });
  return Buffer.concat([header, question, ...answers]);
}

export class ClusterDns {
  private socket?: Socket;
  queries = 0;

  constructor(private readonly lookup: Lookup, readonly domain = 'cluster.local') {}

  async listen(address: string, port = 53): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      void this.handle(msg).then((reply) => reply && socket.send(reply, rinfo.port, rinfo.address));
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
    this.socket = socket;
  }

  private async handle(msg: Buffer): Promise<Buffer | undefined> {
    if (msg.length < 17) return undefined;
    this.queries++;
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    const inCluster = name === this.domain || name.endsWith(`.${this.domain}`);
    if (inCluster) {
      const ips = this.lookup(name.slice(0, -this.domain.length - 1));
      if (qtype !== 1) return answer(msg, ips === undefined ? undefined : []);
      return answer(msg, ips);
    }
    if (qtype !== 1) return answer(msg, []);
    try {
      return answer(msg, await dnsp.resolve4(name));
    } catch {
      return answer(msg, undefined);
    }
  }

  close(): void {
    this.socket?.close();
  }
}
