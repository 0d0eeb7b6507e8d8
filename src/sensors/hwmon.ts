/**
 * Temperatures from hwmon: every `class/hwmon/hwmon<N>/temp<M>_input` (millidegrees → °C) as
 * `hwmon.<chip>.temp<M>`, plus the CPU package temperature as the primary `cpu.temp`.
 */
import path from 'node:path';
import { readerOf, idPart, listNumbered, notRead, readInt, readText, type SourceOptions } from './fs-read.js';
import { ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

interface Temp {
  readonly n: number;
  readonly input: string;
  readonly label: string | null;
  /** temp<n>_crit, else temp<n>_max, °C, and which file: the chip's own limit (read once). */
  readonly limit: { readonly c: number; readonly file: string } | null;
}
interface Chip {
  readonly name: string;
  /** Id segment: the name, or `<name>-<i>` when several chips share it (one per NVMe drive). */
  readonly key: string;
  readonly temps: readonly Temp[];
}
interface Pick {
  readonly chip: Chip;
  readonly temp: Temp;
}

const labelled = (c: Pick[], label: string) => c.find((x) => x.temp.label === label);
const PACKAGE = /^(?:Package|Physical) id (\d+)$/;
const packageId = (p: Pick) => Number(PACKAGE.exec(p.temp.label ?? '')?.[1] ?? Infinity);

/**
 * CPU chips in order of preference, each with the rule that finds its package-level sensor among
 * all its temps (several chips of one name on multi-socket machines). k10temp's Tctl may carry
 * an offset on some Zen 1 parts but is what every Zen exposes; zenpower's Tdie is offset-free.
 */
const PACKAGE_RULES: ReadonlyArray<readonly [string, (c: Pick[]) => Pick | undefined]> = [
  ['coretemp', (c) => c.filter((x) => PACKAGE.test(x.temp.label ?? '')).sort((a, b) => packageId(a) - packageId(b))[0]],
  ['k10temp', (c) => labelled(c, 'Tctl') ?? labelled(c, 'Tdie')],
  ['zenpower', (c) => labelled(c, 'Tdie') ?? labelled(c, 'Tctl')],
  ['cpu_thermal', (c) => c.find((x) => x.temp.n === 1)],
];
const CPU_CHIPS = new Set([...PACKAGE_RULES.map(([name]) => name), 'k8temp', 'via_cputemp']);

function pickPackage(chips: readonly Chip[]): Pick | undefined {
  for (const [name, rule] of PACKAGE_RULES) {
    const cands = chips.filter((c) => c.name === name).flatMap((chip) => chip.temps.map((temp) => ({ chip, temp })));
    const p = rule(cands);
    if (p) return p;
  }
  return undefined;
}

export function createHwmon(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const dir = path.join(ctx.sysfsRoot, 'class', 'hwmon');
  const readFile = readerOf(ctx, opts);

  /**
   * The sensor's limit: `_crit` first (coretemp's TjMax, where PROCHOT throttling starts), else
   * `_max`; values outside 30–150 °C are driver placeholders, not limits.
   */
  async function limitOf(chipDir: string, n: number): Promise<Temp['limit']> {
    for (const suffix of ['crit', 'max']) {
      const file = path.join(chipDir, `temp${n}_${suffix}`);
      const r = await readInt(file, readFile);
      if (r.ok && r.value >= 30_000 && r.value <= 150_000) return { c: r.value / 1000, file };
    }
    return null;
  }
  let chips: Chip[] | null = null;
  let pkg: Pick | undefined;

  async function chipName(chipDir: string): Promise<string> {
    // Old drivers keep `name` on the parent device rather than the hwmon node.
    for (const p of [path.join(chipDir, 'name'), path.join(chipDir, 'device', 'name')]) {
      const r = await readText(p, readFile);
      if (r.ok && r.text.trim() !== '') return r.text.trim();
    }
    return path.basename(chipDir);
  }

  async function probe(): Promise<void> {
    const found: { name: string; temps: Temp[] }[] = [];
    for (const e of await listNumbered(dir, /hwmon(\d+)/)) {
      const temps: Temp[] = [];
      for (const t of await listNumbered(e.path, /temp(\d+)_input/)) {
        const n = t.n[0] ?? 0;
        const label = await readText(path.join(e.path, `temp${n}_label`), readFile);
        temps.push({ n, input: t.path, label: label.ok ? label.text.trim() : null, limit: await limitOf(e.path, n) });
      }
      found.push({ name: await chipName(e.path), temps });
    }
    const count = (name: string) => found.filter((c) => c.name === name).length;
    const seen = new Map<string, number>();
    chips = found.map((c) => {
      const i = seen.get(c.name) ?? 0;
      seen.set(c.name, i + 1);
      return { ...c, key: count(c.name) > 1 ? `${idPart(c.name)}-${i}` : idPart(c.name) };
    });
    pkg = pickPackage(chips);
  }

  function noPackage(list: readonly Chip[]): string {
    if (list.length === 0) return `no hwmon chips in ${dir}`;
    return `no CPU package sensor among hwmon chips: ${[...new Set(list.map((c) => c.name))].join(', ')}`;
  }

  async function read(): Promise<Reading[]> {
    if (chips === null) await probe();
    const list = chips ?? [];
    const temps = list.flatMap((chip) => chip.temps.map((temp) => ({ chip, temp })));
    const results = await Promise.all(temps.map(({ temp }) => readInt(temp.input, readFile)));
    const extras: Reading[] = [];
    let head: Reading = unavailable({ id: 'cpu.temp', device: 'cpu', kind: 'temp', unit: '°C', source: dir, primary: true }, noPackage(list));
    for (const [i, r] of results.entries()) {
      const { chip, temp } = temps[i]!;
      const device = CPU_CHIPS.has(chip.name) ? 'cpu' : chip.name;
      const b = { id: `hwmon.${chip.key}.temp${temp.n}`, device, kind: 'temp' as const, unit: '°C', source: temp.input };
      const extra = temp.label ? { ...b, detail: temp.label } : b;
      extras.push(r.ok ? ok(extra, r.value / 1000) : notRead(extra, r));
      if (pkg?.temp !== temp) continue;
      const main = { ...b, id: 'cpu.temp', device: 'cpu', primary: true, detail: `${chip.name} ${temp.label ?? `temp${temp.n}`}` };
      head = r.ok ? ok(main, r.value / 1000) : notRead(main, r);
    }
    const limitBase = { id: 'cpu.temp_limit', device: 'cpu', kind: 'temp' as const, unit: '°C', source: pkg?.temp.limit?.file ?? dir };
    const limit = pkg?.temp.limit ? ok({ ...limitBase, detail: path.basename(pkg.temp.limit.file) }, pkg.temp.limit.c) : unavailable(limitBase, pkg ? 'the package sensor has no temp*_crit or temp*_max' : noPackage(list));
    return [head, limit, ...extras];
  }

  return { name: 'hwmon', probe, read, close: () => Promise.resolve() };
}
