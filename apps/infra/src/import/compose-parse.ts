/**
 * The short and long forms of compose `ports`, `expose` and `volumes`, parsed as
 * compose reads them (after interpolation). Anything compose itself refuses, or
 * the spec cannot hold, comes back as a sentence for the report, never a throw.
 */

import { posix } from 'node:path';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ParsedPort {
  readonly target: number;
  readonly published?: number;
  /** IPv4 address to publish on (the spec binds IPv4). */
  readonly hostIp?: string;
  readonly protocol: 'TCP' | 'UDP';
  /** Compose publishes it on a host port of its choosing (no host port, or a host range). */
  readonly random: boolean;
  /** A change the spec makes that the report must name as a decision. */
  readonly notice?: string;
}

/** Most ports one range may name: a larger one is almost always a typo, and would be as many Service ports. */
export const MAX_RANGE = 100;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/;

/** `8000` or `8000-8002` -> [first, last]; a sentence when it is neither. */
function range(text: string, what: string, cap = true): [number, number] | string {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return `${what} "${text}" is not a port number or range (e.g. 8080 or 8000-8002)`;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b > 65535 || b < a) return `${what} "${text}" is not a port ${m[2] === undefined ? 'number' : 'range'} within 1-65535`;
  if (cap && b - a + 1 > MAX_RANGE) return `${what} range "${text}" names ${b - a + 1} ports; the import takes at most ${MAX_RANGE} per entry: list the ports the service uses`;
  return [a, b];
}

function protocolOf(text: string | undefined): 'TCP' | 'UDP' | string {
  const p = (text ?? 'tcp').toLowerCase();
  if (p === 'tcp') return 'TCP';
  if (p === 'udp') return 'UDP';
  return `protocol "${text}" is not modelled (the spec has TCP and UDP)`;
}

/** Host IP as written (IPv4, IPv6 with or without brackets) -> what the spec publishes on, and a decision if it changes. */
function hostAddress(ip: string): { hostIp?: string; notice?: string } | string {
  if (ip === '') return {};
  if (IPV4.test(ip)) return { hostIp: ip };
  const v6 = ip.replace(/^\[(.*)\]$/, '$1');
  if (!IPV6.test(v6)) return `host IP "${ip}" is not an IP address (compose refuses it too)`;
  if (v6 === '::1') return { hostIp: '127.0.0.1', notice: 'published on the IPv6 loopback [::1] in compose; the spec binds IPv4: published on 127.0.0.1 (loopback too)' };
  if (/^:*$/.test(v6) || v6 === '::0') return { hostIp: '0.0.0.0', notice: 'published on every IPv6 address [::] in compose; the spec binds IPv4: published on 0.0.0.0 (every address)' };
  return { hostIp: '127.0.0.1', notice: `published on the IPv6 address [${v6}] in compose; the spec binds IPv4: published on 127.0.0.1, set hostAddress to the IPv4 address to publish on` };
}

/** Host part + container part of one entry -> one port per container port. */
function expand(ip: string, host: string, container: string, proto: string | undefined): ParsedPort[] | string {
  const protocol = protocolOf(proto);
  if (protocol !== 'TCP' && protocol !== 'UDP') return protocol;
  const address = hostAddress(ip);
  if (typeof address === 'string') return address;
  const targets = range(container, 'container port');
  if (typeof targets === 'string') return targets;
  const count = targets[1] - targets[0] + 1;
  const base = { protocol, ...(address.hostIp !== undefined && { hostIp: address.hostIp }) } as const;
  const ports = (f: (t: number, i: number) => Partial<ParsedPort>): ParsedPort[] =>
    Array.from({ length: count }, (_, i) => ({ ...base, target: targets[0] + i, random: false, ...(address.notice && { notice: address.notice }), ...f(targets[0] + i, i) }) as ParsedPort);
  // Host port 0 asks the kernel for a free port, as an empty host port does: compose publishes it on a random one.
  if (host === '' || /^0+$/.test(host)) return ports(() => ({ random: true }));
  // A host range is as long as the container range, or compose picks one of it (then any length goes).
  const published = range(host, 'host port', false);
  if (typeof published === 'string') return published;
  const hosts = published[1] - published[0] + 1;
  if (hosts === count) return ports((_, i) => ({ published: published[0] + i }));
  if (count === 1) {
    return ports(() => ({ notice: `compose publishes container port ${targets[0]} on one free host port of ${host}; the spec publishes a fixed port: left unpublished, set hostPort to publish it` }));
  }
  return `host ports ${host} and container ports ${container} differ in length; compose refuses it too: give one host port per container port`;
}

/**
 * One `ports` entry: `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`, `[::1]:8080:80`,
 * `::1:8080:80`, `8000-8002:8000-8002`, `53:53/udp`, or the long form
 * `{ target, published, host_ip, protocol }`. A range becomes one port per number.
 */
export function parsePorts(p: unknown): ParsedPort[] | string {
  if (isObj(p)) {
    const target = typeof p.target === 'number' || typeof p.target === 'string' ? String(p.target) : '';
    if (!/^\d+$/.test(target)) return `target ${JSON.stringify(p.target ?? null)} is not a port number`;
    const published = p.published === undefined || p.published === null ? '' : typeof p.published === 'number' || typeof p.published === 'string' ? String(p.published) : undefined;
    if (published === undefined) return `published ${JSON.stringify(p.published)} is not a port number or range`;
    if (p.host_ip !== undefined && typeof p.host_ip !== 'string') return `host_ip ${JSON.stringify(p.host_ip)} is not an IP address`;
    if (p.protocol !== undefined && typeof p.protocol !== 'string') return `protocol ${JSON.stringify(p.protocol)} is not tcp or udp`;
    return expand(p.host_ip ?? '', published, target, p.protocol);
  }
  if (typeof p !== 'string' && typeof p !== 'number') return `${JSON.stringify(p)} is not a port`;
  const text = String(p).trim();
  const slash = text.lastIndexOf('/');
  const spec = slash < 0 ? text : text.slice(0, slash);
  const proto = slash < 0 ? undefined : text.slice(slash + 1);
  let ip = '';
  let rest = spec;
  if (spec.startsWith('[')) {
    const close = spec.indexOf(']:');
    if (close < 0) return `port "${text}": an IPv6 host IP in brackets is followed by ":" and the ports, e.g. [::1]:8080:80`;
    ip = spec.slice(0, close + 1);
    rest = spec.slice(close + 2);
    if (!rest.includes(':')) return `port "${text}": a host IP needs a host port (or "::" for a random one), e.g. [::1]:8080:80`;
  }
  const parts = rest.split(':');
  const container = parts.pop()!;
  const host = parts.length ? parts.pop()! : '';
  if (parts.length) {
    if (ip) return `port "${text}" has too many ":"-separated parts`;
    ip = parts.join(':');
  }
  return expand(ip, host, container, proto);
}

/** One `expose` entry: `3000`, `3000/udp`, `8000-8002`. */
export function parseExpose(raw: unknown): { target: number; protocol: 'TCP' | 'UDP' }[] | string {
  if (typeof raw !== 'string' && typeof raw !== 'number') return `${JSON.stringify(raw)} is not a port number`;
  const [spec, proto, ...more] = String(raw).trim().split('/');
  if (more.length) return `"${raw}" is not a port number`;
  const protocol = protocolOf(proto);
  if (protocol !== 'TCP' && protocol !== 'UDP') return protocol;
  const r = range(spec, 'port');
  if (typeof r === 'string') return r;
  return Array.from({ length: r[1] - r[0] + 1 }, (_, i) => ({ target: r[0] + i, protocol }));
}

export interface ParsedVolume {
  /** anonymous: a volume without a name; tmpfs: memory; bind: a host path; volume: a named volume. */
  readonly type: 'volume' | 'anonymous' | 'bind' | 'tmpfs' | string;
  readonly source?: string;
  readonly target: string;
  /** `ro` or `rw`, and the options the spec does not model, as the report names them (`z`, `volume: {"nocopy":true}`). */
  readonly mountOpts: string[];
  /** Short-form options compose does not know: Compose v2 ignores them, as the import does. */
  readonly ignored?: string[];
}

/** Mode options of the short form compose knows; another is refused by compose. */
const MODES = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'consistent', 'cached', 'delegated', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

/**
 * One `volumes` entry: `/data` (anonymous), `name:/data`, `./x:/data`, `~/x:/data`,
 * `/abs:/data:ro,z`, or the long form `{ type, source, target, read_only, bind, volume, tmpfs }`.
 */
export function parseVolume(raw: unknown): ParsedVolume | string {
  const parsed = parseVolumeForm(raw);
  // Compose refuses a relative container path ("mount path must be absolute"); the spec does too.
  if (typeof parsed !== 'string' && !parsed.target.startsWith('/')) return `container path "${parsed.target}" is not absolute (compose refuses it too: "mount path must be absolute"): not imported; write it as "/${parsed.target.replace(/^\.?\/*/, '')}"`;
  // Compose cleans the container path (compose-go's path.Clean): `/data/` is `/data`, `/a//b` and `/a/./b` are `/a/b`.
  return typeof parsed === 'string' ? parsed : { ...parsed, target: cleanContainerPath(parsed.target) };
}

/** An absolute container path as Go's path.Clean writes it: no repeated "/", no "." or ".." segment, no trailing "/" (but "/" itself). */
export function cleanContainerPath(target: string): string {
  const clean = posix.normalize(target);
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}

function parseVolumeForm(raw: unknown): ParsedVolume | string {
  if (isObj(raw)) {
    const type = raw.type ?? 'volume';
    if (typeof type !== 'string') return `type ${JSON.stringify(type)} is not a mount type`;
    if (typeof raw.target !== 'string' || !raw.target) return `target ${JSON.stringify(raw.target ?? null)} is not a container path`;
    if (raw.source !== undefined && raw.source !== null && typeof raw.source !== 'string') return `source ${JSON.stringify(raw.source)} is not a path or volume name`;
    const source = typeof raw.source === 'string' && raw.source ? raw.source : undefined;
    const mountOpts: string[] = [];
    for (const k of Object.keys(raw)) if (!['type', 'source', 'target'].includes(k)) mountOpts.push(k === 'read_only' ? (raw[k] ? 'ro' : 'rw') : `${k}: ${JSON.stringify(raw[k])}`);
    return { type: type === 'volume' && !source ? 'anonymous' : type, ...(source !== undefined && { source }), target: raw.target, mountOpts };
  }
  if (typeof raw !== 'string' || !raw.trim()) return `${JSON.stringify(raw)} is not a volume`;
  const split = splitShortVolume(raw);
  if (typeof split === 'string') return split;
  const { source, target, mode } = split;
  if (source === undefined) {
    // `g:/data`: compose reads a one-letter name before ":" as a Windows drive, so this is one path, an anonymous volume's.
    return driveLetter(target) ? `"${raw}": compose reads "${target.slice(0, 2)}" as a Windows drive letter (a one-letter name before ":"), so this is no source:target pair but an anonymous volume at the path "${target}", which is not absolute (Docker refuses it: "mount path must be absolute"): not imported; to mount a named volume "${target[0]}", write the long form { type: volume, source: ${target[0]}, target: ${target.slice(2) || '/'} } (the short form cannot name a one-letter volume)` : { type: 'anonymous', target, mountOpts: [] };
  }
  const mountOpts = (mode ?? '').split(',').filter(Boolean);
  // Compose v2 ignores an option it does not know (docker-compose 1.29 passed it to Docker, which refused it).
  const ignored = mountOpts.filter((o) => !MODES.has(o));
  return { type: isFilePath(source) ? 'bind' : 'volume', source, target, mountOpts: mountOpts.filter((o) => MODES.has(o)), ...(ignored.length && { ignored }) };
}

/** A Windows drive at the start of a path: one letter and ":" (`C:`, `g:`), as compose-go's isWindowsDrive. */
const driveLetter = (text: string): boolean => /^\p{L}:/u.test(text);

/**
 * Whether a short-form source is a host path (a bind) rather than a volume name, as compose-go's
 * isFilePath decides: `.`, `/` or `~` first, a Windows named pipe (`\\.\pipe\x`), or a drive (`C:`).
 */
export function isFilePath(source: string): boolean {
  return /^[./~]/.test(source) || source.startsWith('\\\\') || driveLetter(source);
}

/**
 * A Windows host path: a drive path (`C:\\data`, `c:/x`, which compose keeps as it is, compose-go's
 * IsWindowsAbs) or a named pipe (`\\\\.\\pipe\\x`): never inside this repository. `C:data` (no
 * separator after the drive) is not one: compose binds the folder "C:data" beside the compose file.
 */
export const isWindowsPath = (source: string): boolean => source.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(source);

/**
 * The short form split as compose-go's ParseVolume splits it: on ":", except the ":" after a
 * one-letter field (a Windows drive: `C:\\data:/data`, `name:D:\\target`), and any ":" inside
 * `${...}` (text a `$${` escape left). One or two characters in all are a container path.
 */
function splitShortVolume(raw: string): { source?: string; target: string; mode?: string } | string {
  const chars = [...raw];
  if (chars.length <= 2) return { target: raw };
  const fields: string[] = [];
  let buffer: string[] = [];
  let depth = 0;
  for (let i = 0; i <= chars.length; i++) {
    const c = i < chars.length ? chars[i] : undefined;
    if (c === '$' && chars[i + 1] === '{') {
      depth++;
      buffer.push(c);
    } else if (c === '}' && depth > 0) {
      depth--;
      buffer.push(c);
    } else if (c === ':' && buffer.length === 1 && /^\p{L}$/u.test(buffer[0])) buffer.push(c);
    else if ((c === ':' || c === undefined) && depth === 0) {
      if (!buffer.length) return `"${raw}" has an empty ${['source', 'container path', 'mode'][fields.length] ?? 'part'} (compose refuses it too: "empty section between colons")`;
      if (fields.length === 2 && c === ':') return `"${raw}" has more than source:target:mode (compose refuses it too: "too many colons")`;
      fields.push(buffer.join(''));
      buffer = [];
    } else buffer.push(c!);
  }
  if (fields.length === 1) return { target: fields[0] };
  return { source: fields[0], target: fields[1], ...(fields[2] !== undefined && { mode: fields[2] }) };
}

/** Why a `build` value is not one compose reads (a context path, or `{ context, dockerfile }` with string paths), or undefined. */
export function buildProblem(build: unknown): string | undefined {
  if (typeof build === 'string') return build ? undefined : 'an empty build context';
  if (!isObj(build)) return `${JSON.stringify(build)} is not a build context path or { context, dockerfile }`;
  for (const k of ['context', 'dockerfile'] as const) {
    if (build[k] !== undefined && (typeof build[k] !== 'string' || !build[k])) return `build ${k} ${JSON.stringify(build[k])} is not a path`;
  }
  return undefined;
}
