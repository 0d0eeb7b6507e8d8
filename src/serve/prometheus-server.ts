/** `--prometheus [HOST:]PORT`: /metrics of a running recording (monitor, train, run, workload). */
import http from 'node:http';
import { BASE_HEADERS, checkExposure, listen, send, tokenOk, type Listen } from './http.js';
import type { RleMetrics } from './prometheus-metrics.js';

export class PrometheusServer {
  private constructor(
    private readonly server: http.Server,
    readonly address: Listen,
  ) {}

  static async start(metrics: RleMetrics, l: Listen, token: string | undefined): Promise<PrometheusServer> {
    checkExposure(l, token, '--prometheus');
    const server = http.createServer((req, res) => {
      if (!tokenOk(req, token)) return send(res, 401, 'unauthorized\n');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
      if (path !== '/metrics') return send(res, 404, 'not found: rle serves /metrics\n');
      metrics.text().then(
        ({ body, contentType }) => {
          res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': contentType });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (e: Error) => send(res, 500, `${e.message}\n`),
      );
    });
    server.keepAliveTimeout = 5000;
    return new PrometheusServer(server, await listen(server, l, '--prometheus'));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
