/**
 * `rle dashboard`: the session list, a session view and a live view that follows a running
 * session through server-sent events, plus /metrics for Prometheus. Reads the store another
 * process is writing (SQLite WAL: readers never block the writer). Static files come from a
 * fixed table of package files — no path from a URL ever reaches the filesystem.
 */
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadStoredSession } from '../replay/series.js';
import { RleError } from '../errors.js';
import { RleMetrics } from './prometheus-metrics.js';
import { PKG_ROOT } from '../package-root.js';
import { figureSpec, renderSvg } from '../report/figure.js';
import { reportHtml } from '../report/html.js';
import { buildReportSummary } from '../report/summary.js';
import { BASE_HEADERS, checkExposure, listen, send, tokenCheck, tokenCookie, type Listen } from './http.js';
import { SessionStore } from '../store/session-store.js';
import { CollapseEdges } from '../core/collapse-edges.js';
import { StoredReplay } from '../replay/stored.js';
import { SessionFeed, sessionList, spikeSteps } from './dashboard-data.js';

export interface DashboardOptions {
  db: string;
  listen: Listen;
  token: string | undefined;
  /** Live streams open at once; more are refused with 503. */
  maxStreams: number;
  /** How often a live stream polls the store, ms. */
  pollMs: number;
}

const WEB = path.join(PKG_ROOT, 'web');
const uplotDir = path.dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

/** URL path → [file, content type]. The only files ever served. */
const STATIC: Record<string, [string, string]> = {
  '/': [path.join(WEB, 'index.html'), 'text/html; charset=utf-8'],
  '/session': [path.join(WEB, 'session.html'), 'text/html; charset=utf-8'],
  '/app.js': [path.join(WEB, 'app.js'), 'text/javascript; charset=utf-8'],
  '/style.css': [path.join(WEB, 'style.css'), 'text/css; charset=utf-8'],
  '/vendor/uPlot.iife.min.js': [path.join(uplotDir, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  '/vendor/uPlot.min.css': [path.join(uplotDir, 'uPlot.min.css'), 'text/css; charset=utf-8'],
};

const ID = /^[\w-]{1,64}$/;

export class Dashboard {
  private readonly streams = new Set<http.ServerResponse>();
  private readonly metrics = new RleMetrics();
  /** Per running session: its replay, collapse edges and last step fed to /metrics. */
  private readonly fed = new Map<string, { replay: StoredReplay; edges: CollapseEdges; step: number }>();

  private constructor(
    private readonly server: http.Server,
    private readonly store: SessionStore,
    readonly address: Listen,
    private readonly o: DashboardOptions,
  ) {}

  static async start(o: DashboardOptions): Promise<Dashboard> {
    checkExposure(o.listen, o.token, 'rle dashboard');
    if (!fs.existsSync(o.db)) throw new RleError('E_STORE', `no session store at ${o.db} (record a session first, or give --db)`);
    const store = SessionStore.open(o.db);
    const server = http.createServer();
    let d: Dashboard;
    try {
      d = new Dashboard(server, store, await listen(server, o.listen, 'rle dashboard'), o);
    } catch (e) {
      store.close();
      throw e;
    }
    server.on('request', (req, res) => d.handle(req, res));
    return d;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const auth = tokenCheck(req, this.o.token);
    if (auth === false) return send(res, 401, 'unauthorized: give the token (Authorization: Bearer …, or ?token=…)\n');
    if (auth === 'query') res.setHeader('Set-Cookie', tokenCookie(this.o.token!));
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      return send(res, 400, 'bad request\n');
    }
    const p = url.pathname;
    try {
      const file = STATIC[p];
      if (file) return this.sendFile(res, file[0], file[1]);
      if (p === '/api/sessions') return this.json(res, sessionList(this.store));
      if (p === '/metrics') return void this.prometheus(res);
      let m = /^\/api\/sessions\/([^/]+)$/.exec(p);
      if (m) return this.withSession(res, m[1]!, (id) => this.json(res, { ...new SessionFeed(this.store, id, Number(url.searchParams.get('after') ?? 0) || 0).delta(), spikes: spikeSteps(this.store, id) }));
      m = /^\/api\/sessions\/([^/]+)\/stream$/.exec(p);
      if (m) return this.withSession(res, m[1]!, (id) => this.stream(req, res, id, Number(url.searchParams.get('after') ?? 0) || 0, Number(url.searchParams.get('step') ?? -1)));
      m = /^\/report\/([^/]+)$/.exec(p);
      if (m) return this.withSession(res, m[1]!, (id) => void this.report(res, id));
      send(res, 404, 'not found\n');
    } catch (e) {
      send(res, e instanceof RleError && e.code === 'E_SESSION' ? 404 : 500, `${(e as Error).message}\n`);
    }
  }

  private withSession(res: http.ServerResponse, raw: string, f: (id: string) => void): void {
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      return send(res, 400, 'bad session id\n');
    }
    if (!ID.test(id)) return send(res, 400, 'bad session id\n');
    f(this.store.get(id).id);
  }

  private sendFile(res: http.ServerResponse, file: string, type: string): void {
    fs.readFile(file, (err, body) => (err ? send(res, 500, 'missing package file\n') : send(res, 200, body, type)));
  }

  private json(res: http.ServerResponse, x: unknown): void {
    send(res, 200, JSON.stringify(x), 'application/json; charset=utf-8');
  }

  /** Server-sent events: `data` deltas every pollMs while the session runs, then `end`. */
  private stream(req: http.IncomingMessage, res: http.ServerResponse, id: string, afterId: number, afterStep: number): void {
    if (this.streams.size >= this.o.maxStreams) return send(res, 503, `too many live streams (at most ${this.o.maxStreams})\n`);
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    this.streams.add(res);
    const feed = new SessionFeed(this.store, id, afterId, afterStep);
    let busy = false;
    const tick = (): void => {
      if (busy) return;
      busy = true;
      try {
        const d = feed.delta();
        const any = Object.keys(d.devices).length > 0 || d.steps.step.length > 0 || d.events.length > 0;
        if (any) res.write(`event: data\ndata: ${JSON.stringify(d)}\n\n`);
        else res.write(': keep-alive\n\n');
        if (d.session.status !== 'running') {
          res.write(`event: end\ndata: ${JSON.stringify({ status: d.session.status })}\n\n`);
          close();
        }
      } catch (e) {
        res.write(`event: error\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
        close();
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(tick, this.o.pollMs);
    const close = (): void => {
      clearInterval(timer);
      this.streams.delete(res);
      res.end();
    };
    req.on('close', close); // the client went away
    tick();
  }

  private async report(res: http.ServerResponse, id: string): Promise<void> {
    const data = loadStoredSession(this.store, id);
    const devices = data.devices.map((d) => d.device);
    const summary = buildReportSummary(data, undefined, devices);
    const svg = await renderSvg(figureSpec(data, summary, devices));
    send(res, 200, reportHtml(summary, svg), 'text/html; charset=utf-8');
  }

  /** Metrics of the sessions running now, fed from the store since the dashboard started. */
  private async prometheus(res: http.ServerResponse): Promise<void> {
    for (const s of this.store.list().filter((x) => x.status === 'running')) {
      let f = this.fed.get(s.id);
      if (!f) {
        f = { replay: new StoredReplay(this.store, this.store.get(s.id)), edges: new CollapseEdges(), step: -1 };
        this.fed.set(s.id, f);
      }
      for (const { sample, metric, throttle } of f.replay.next()) {
        const edge = f.edges.push(sample.device, metric.collapse);
        const events = edge ? [{ t: sample.t, device: sample.device, type: `collapse_${edge}` }] : [];
        this.metrics.observe(s.id, sample, metric, events, throttle);
      }
      const steps = this.store.steps(s.id).filter((x) => x.step > f.step);
      const lastStep = steps.at(-1);
      if (lastStep) {
        this.metrics.step(s.id, lastStep);
        f.step = lastStep.step;
      }
    }
    const { body, contentType } = await this.metrics.text();
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': contentType });
    res.end(body);
  }

  async close(): Promise<void> {
    for (const r of this.streams) r.end();
    this.streams.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.store.close();
  }
}
