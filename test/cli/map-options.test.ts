/** `--map` / `--scale` / Unix-second timestamps: arbitrary CSVs (a heater, a data logger) as sessions. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { csvRows, FIXTURES, ROOT, runCli, tmpDir } from '../helpers.js';

const HEATER = path.join(ROOT, 'examples', 'heater');
const MAP = ['--map', 'timestamp=time,power_w=heater_w,temp_c=room_c,util_pct=duty', '--scale', 'util_pct=100', '--device', 'heater', '--limit', 'heater=25', '--hz', String(1 / 60)];

interface Summary {
  devices: Record<string, { samples: number; util_pct_mean: number; rle_smoothed: { mean: number }; temp_c: { mean: number } }>;
}

describe('--map on arbitrary CSVs', () => {
  it('reads the heater example; an undersized heater looks very different from a well-sized one', async () => {
    const run = async (file: string, rated: string): Promise<Summary> => {
      const r = await runCli(['analyze', path.join(HEATER, file), ...MAP, '--rated', `heater=${rated}`, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Summary;
    };
    const well = (await run('heater-wellsized.csv', '5000')).devices.heater!;
    const under = (await run('heater-undersized.csv', '2000')).devices.heater!;
    assert.equal(well.samples, 1440);
    assert.ok(under.util_pct_mean > 95 && well.util_pct_mean < 75, 'duty, scaled to percent');
    assert.ok(under.temp_c.mean < 17 && Math.abs(well.temp_c.mean - 21) < 0.5);
    assert.ok(under.rle_smoothed.mean - well.rle_smoothed.mean > 0.3);
  });
  it('augments a file with Unix-second timestamps; unmapped columns pass through', async () => {
    const r = await runCli(['augment', path.join(FIXTURES, 'map', 'unix-seconds.csv'), '--map', 'timestamp=epoch,power_w=watts,temp_c=celsius,util_pct=load', '--scale', 'util_pct=100', '--device', 'logger']);
    assert.equal(r.code, 0, r.stderr);
    const rows = csvRows(r.stdout);
    const h = rows[0]!;
    assert.deepEqual([rows[1]![h.indexOf('timestamp')], rows[3]![h.indexOf('timestamp')]], ['2023-11-14T22:13:20Z', '2023-11-14T22:13:22.5Z']);
    assert.deepEqual(rows.slice(1).map((x) => x[h.indexOf('util_pct')]), ['50', '60', '70']);
    assert.deepEqual(rows.slice(1).map((x) => x[h.indexOf('device')]), ['logger', 'logger', 'logger']);
    assert.equal(rows[1]![h.indexOf('power_w')], '100');
  });
  it('an unknown mapped column, or a source column the file lacks, is a clear error', async () => {
    const file = path.join(FIXTURES, 'map', 'unix-seconds.csv');
    let r = await runCli(['augment', file, '--map', 'timestamp=epoch,fan_rpm=x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown column "fan_rpm"; one of timestamp, device, util_pct, temp_c, power_w/);
    r = await runCli(['augment', file, '--map', 'timestamp=epoch,util_pct=nope', '--device', 'x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unix-seconds\.csv:1: --map util_pct=nope: no "nope" column in the header/);
    r = await runCli(['analyze', file, '--scale', 'util_pct=abc']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /factor for util_pct must be a number/);
  });
  it('imports a mapped file into the store', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['import', path.join(HEATER, 'heater-wellsized.csv'), ...MAP, '--rated', 'heater=5000', '--name', 'heater', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { samples: number; devices: string[] }[];
    assert.equal(list[0]!.samples, 1440);
  });
});
