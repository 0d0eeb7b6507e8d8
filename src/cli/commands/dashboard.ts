/** `rle dashboard`: the store in a browser (session list, session and live views) and /metrics. */
import { Command } from 'commander';
import { Dashboard } from '../../serve/dashboard.js';
import { parseListen } from '../../serve/http.js';
import { positiveInt } from '../options.js';
import { onStopSignal } from '../signals.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface DashboardFlags extends StoreFlags {
  host: string;
  port: string;
  token?: string;
  maxStreams: number;
}

export async function dashboard(flags: DashboardFlags): Promise<void> {
  const d = await Dashboard.start({
    db: storePath(flags),
    listen: parseListen(`${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${flags.port}`, '--host/--port'),
    token: flags.token ?? process.env.RLE_TOKEN,
    maxStreams: flags.maxStreams,
    pollMs: 500,
  });
  const host = d.address.host.includes(':') ? `[${d.address.host}]` : d.address.host;
  const store = d.storeExists ? `store ${storePath(flags)}` : `store ${storePath(flags)}: none yet, shown once \`rle monitor\` or \`rle train\` records a session`;
  process.stdout.write(`rle dashboard: http://${host}:${d.address.port}/ (${store}; Prometheus /metrics; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => onStopSignal(() => resolve()));
  onStopSignal(null);
  await d.close();
}

export function dashboardCommand(): Command {
  const cmd = new Command('dashboard')
    .description('serve the sessions in a browser: list, session view, live view (server-sent events), /metrics; starts on an empty store and shows sessions as they are recorded')
    .option('--host <host>', 'interface to listen on (anything but loopback needs --token)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free one)', '8686')
    .option('--token <token>', 'required on every request, stream and /metrics (default $RLE_TOKEN)')
    .option('--max-streams <n>', 'live streams open at once', positiveInt, 256);
  addStoreOption(cmd);
  return cmd.action((flags: DashboardFlags) => dashboard(flags));
}
