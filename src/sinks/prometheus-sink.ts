/** `--prometheus [HOST:]PORT`: every tick and step into the recording's metrics, served at /metrics. */
import type { TickReport } from '../sampler/sampler.js';
import type { PrometheusServer } from '../serve/prometheus-server.js';
import type { RleMetrics } from '../serve/prometheus-metrics.js';
import type { StepRecord } from '../store/session-store.js';
import type { Sink } from './sink.js';

export class PrometheusSink implements Sink {
  readonly name = 'prometheus';

  constructor(
    private readonly metrics: RleMetrics,
    private readonly server: PrometheusServer,
    private readonly sessionId: string,
  ) {}

  write(r: TickReport): void {
    r.samples.forEach((sample, i) => this.metrics.observe(this.sessionId, sample, r.metrics[i]!, r.events, r.throttle[i] ?? null));
    this.metrics.health(this.sessionId, r.health);
  }

  step(s: StepRecord): void {
    this.metrics.step(this.sessionId, s);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
