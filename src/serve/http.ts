/**
 * What every rle HTTP endpoint shares: where it listens ([HOST:]PORT, loopback unless told),
 * the rule that anything reachable from elsewhere needs a token (checked on every request,
 * in constant time, from `Authorization: Bearer` or `?token=` for browsers' EventSource), and
 * conservative response headers.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { RleError } from '../errors.js';

export interface Listen {
  host: string;
  port: number;
}

export const LOOPBACK = '127.0.0.1';

/** `PORT`, `HOST:PORT` or `[v6]:PORT`. */
export function parseListen(spec: string, what: string): Listen {
  const m = /^(?:\[([^\]]+)\]:|([^:[\]]+):)?(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 0 || port > 65535) throw new RleError('E_OPTION', `${what} ${spec}: expected [HOST:]PORT`);
  return { host: m[1] ?? m[2] ?? LOOPBACK, port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

/** Refuses to serve off loopback without a token. */
export function checkExposure(l: Listen, token: string | undefined, what: string): void {
  if (!isLoopback(l.host) && !token) {
    throw new RleError('E_OPTION', `${what}: refusing to listen on ${l.host} without a token: anything reachable from another machine needs --token (or RLE_TOKEN)`);
  }
}

/** Name of the cookie a browser gets after opening a page with the right ?token (so its assets and streams authenticate). */
export const TOKEN_COOKIE = 'rle_token';

function same(given: string, token: string): boolean {
  const a = Buffer.from(given), b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(req: http.IncomingMessage, name: string): string {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return '';
}

/** 'none' (no token set), 'ok' (header or cookie), 'query' (right ?token: set the cookie), or false. */
export function tokenCheck(req: http.IncomingMessage, token: string | undefined): 'none' | 'ok' | 'query' | false {
  if (!token) return 'none';
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Bearer ') && same(auth.slice(7), token)) return 'ok';
  let q = '';
  try {
    q = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
  } catch {
    return false;
  }
  if (q && same(q, token)) return 'query';
  const c = cookie(req, TOKEN_COOKIE);
  return c && same(c, token) ? 'ok' : false;
}

export function tokenOk(req: http.IncomingMessage, token: string | undefined): boolean {
  return tokenCheck(req, token) !== false;
}

/** The cookie that lets a page's own requests through once its URL carried the token. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}

export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

export function send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts an HTTP server; resolves with its bound address (port 0 → the one given). */
export async function listen(server: http.Server, l: Listen, what: string): Promise<Listen> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new RleError('E_OPTION', `${what}: cannot listen on ${l.host}:${l.port}: ${e.code === 'EADDRINUSE' ? 'address in use' : e.message}`)));
    server.listen(l.port, l.host, () => resolve());
  });
  const a = server.address() as net.AddressInfo;
  return { host: l.host, port: a.port };
}
