import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CsvSink } from '../../src/sinks/csv-sink.js';
import { AtomicOutput } from '../../src/store/files.js';
import { csvRows, tmpDir } from '../helpers.js';
import { tick } from './ticks.js';

describe('CsvSink', () => {
  it('writes the header from the first tick (its extra readings as columns) and appears only when the session completes', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 's.csv');
    const s = new CsvSink(await AtomicOutput.open(file));
    for (let k = 0; k < 3; k++) await s.write(tick(k, { extra: k === 0 ? { 'cpu.freq': 3000 } : { 'cpu.freq': 3100, 'cpu.late': 1 } }));
    assert.equal(fs.existsSync(file), false, 'not before the end');
    await s.close('completed');
    const rows = csvRows(fs.readFileSync(file, 'utf8'));
    assert.equal(rows.length, 4);
    assert.deepEqual(rows[0]!.slice(-4), ['power_source', 'throttled', 'throttle_causes', 'cpu.freq']);
    assert.equal(rows[3]!.at(-1), '3100');
    assert.deepEqual(fs.readdirSync(dir), ['s.csv'], 'no temp file left');
  });
  it('a failed session leaves no file, and an existing one untouched', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 's.csv');
    fs.writeFileSync(file, 'previous\n');
    const s = new CsvSink(await AtomicOutput.open(file));
    await s.write(tick(0));
    await s.close('failed');
    assert.equal(fs.readFileSync(file, 'utf8'), 'previous\n');
    assert.deepEqual(fs.readdirSync(dir), ['s.csv']);
  });
  it('a session stopped before its first tick still gets a header', async () => {
    const file = path.join(tmpDir(), 's.csv');
    const s = new CsvSink(await AtomicOutput.open(file));
    await s.close('interrupted');
    assert.match(fs.readFileSync(file, 'utf8'), /^timestamp,device,rle_smoothed/);
  });
});
