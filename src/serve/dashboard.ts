/**
 * `rle dashboard`: the session list, a session view and a live view that follows a running
 * session through server-sent events, plus /metrics for Prometheus. Reads the store another
 * process is writing (SQLite WAL: readers never block the writer), or waits for a first
 * recording to create it. Static files come from a fixed table of package files — no path
 * from a URL ever reaches the filesystem.
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
import { SessionFeed, SessionList, spikeSteps } from './dashboard-data.js';

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

  /** Open once the file exists: a dashboard started before the first recording waits for it. */
  private store: SessionStore | null = null;
  private list: SessionList | null = null;

  private constructor(
    private readonly server: http.Server,
    readonly address: Listen,
    private readonly o: DashboardOptions,
  ) {}

  /**
   * Serves `o.db`; when there is no store yet (nothing recorded), serves an empty list until a
   * recording creates it. The dashboard never creates the store itself: it only reads.
   */
  static async start(o: DashboardOptions): Promise<Dashboard> {
    checkExposure(o.listen, o.token, 'rle dashboard');
    const server = http.createServer();
    const d = new Dashboard(server, await listen(server, o.listen, 'rle dashboard'), o);
    try {
      d.openStore();
    } catch (e) {
      await d.close();
      throw e;
    }
    server.on('request', (req, res) => d.handle(req, res));
    return d;
  }

  /** Whether the store file exists (yet). */
  get storeExists(): boolean {
    return this.store !== null;
  }

  private openStore(): SessionStore | null {
    if (this.store === null && fs.existsSync(this.o.db)) {
      this.store = SessionStore.open(this.o.db);
      this.list = new SessionList(this.store);
    }
    return this.store;
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
    const num = (k: string, dflt: number): number => {
      const v = Number(url.searchParams.get(k) ?? dflt);
      return Number.isFinite(v) ? v : dflt;
    };
    try {
      const file = STATIC[p];
      if (file) return this.sendFile(res, file[0], file[1]);
      const store = this.openStore();
      if (p === '/api/sessions') return this.json(res, this.list ? this.list.rows() : []);
      if (p === '/metrics') return void this.prometheus(res, store);
      let m = /^\/api\/sessions\/([^/]+)$/.exec(p);
      // live_window: while the session runs, only its last N seconds (the live view's window)
      const win = num('live_window', 0) > 0 ? num('live_window', 0) : null;
      if (m) return this.withSession(res, m[1]!, (s, id) => this.json(res, { ...new SessionFeed(s, id, num('after', 0), -1, win).delta(), spikes: spikeSteps(s, id) }));
      m = /^\/api\/sessions\/([^/]+)\/stream$/.exec(p);
      if (m) return this.withSession(res, m[1]!, (s, id) => this.stream(req, res, s, id, num('after', 0), num('step', -1)));
      m = /^\/report\/([^/]+)$/.exec(p);
      if (m) return this.withSession(res, m[1]!, (s, id) => void this.report(res, s, id));
      send(res, 404, 'not found\n');
    } catch (e) {
      send(res, e instanceof RleError && e.code === 'E_SESSION' ? 404 : 500, `${(e as Error).message}\n`);
    }
  }

  private withSession(res: http.ServerResponse, raw: string, f: (store: SessionStore, id: string) => void): void {
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      return send(res, 400, 'bad session id\n');
    }
    if (!ID.test(id)) return send(res, 400, 'bad session id\n');
    if (!this.store) return send(res, 404, 'no sessions yet: nothing has been recorded in this store\n');
    f(this.store, this.store.get(id).id);
  }

  private sendFile(res: http.ServerResponse, file: string, type: string): void {
    fs.readFile(file, (err, body) => (err ? send(res, 500, 'missing package file\n') : send(res, 200, body, type)));
  }

  private json(res: http.ServerResponse, x: unknown): void {
    send(res, 200, JSON.stringify(x), 'application/json; charset=utf-8');
  }

  /** Server-sent events: `data` deltas every pollMs while the session runs, then `end`. */
  private stream(req: http.IncomingMessage, res: http.ServerResponse, store: SessionStore, id: string, afterId: number, afterStep: number): void {
    if (this.streams.size >= this.o.maxStreams) return send(res, 503, `too many live streams (at most ${this.o.maxStreams})\n`);
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    this.streams.add(res);
    const feed = new SessionFeed(store, id, afterId, afterStep);
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
          res.write(`event: end\ndata: ${JSON.stringify({ status: d.session.status, ended_at: d.session.ended_at })}\n\n`);
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

  private async report(res: http.ServerResponse, store: SessionStore, id: string): Promise<void> {
    const data = loadStoredSession(store, id);
    const devices = data.devices.map((d) => d.device);
    const summary = buildReportSummary(data, undefined, devices);
    const svg = await renderSvg(figureSpec(data, summary, devices));
    send(res, 200, reportHtml(summary, svg), 'text/html; charset=utf-8');
  }

  /** Metrics of the sessions running now, fed from the store since the dashboard started. */
  private async prometheus(res: http.ServerResponse, store: SessionStore | null): Promise<void> {
    if (store) this.feedMetrics(store);
    const { body, contentType } = await this.metrics.text();
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': contentType });
    res.end(body);
  }

  private feedMetrics(store: SessionStore): void {
    for (const s of store.list().filter((x) => x.status === 'running')) {
      let f = this.fed.get(s.id);
      if (!f) {
        f = { replay: new StoredReplay(store, store.get(s.id)), edges: new CollapseEdges(), step: -1 };
        this.fed.set(s.id, f);
      }
      for (const { sample, metric, throttle } of f.replay.next()) {
        const edge = f.edges.push(sample.device, metric.collapse);
        const events = edge ? [{ t: sample.t, device: sample.device, type: `collapse_${edge}` }] : [];
        this.metrics.observe(s.id, sample, metric, events, throttle);
      }
      const steps = store.steps(s.id).filter((x) => x.step > f.step);
      const lastStep = steps.at(-1);
      if (lastStep) {
        this.metrics.step(s.id, lastStep);
        f.step = lastStep.step;
      }
    }
  }

  async close(): Promise<void> {
    for (const r of this.streams) r.end();
    this.streams.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.store?.close();
  }
}
