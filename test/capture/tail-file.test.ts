import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileTail } from '../../src/capture/tail-file.js';
import { tmpDir } from '../helpers.js';

describe('FileTail', () => {
  it('follows appends (a file that appears late included) and reads the rest on stop', async () => {
    const file = path.join(tmpDir(), 'm.jsonl');
    let got = '';
    const tail = new FileTail(file, (c) => (got += c.toString()));
    tail.start();
    await new Promise((r) => setTimeout(r, 250));
    fs.writeFileSync(file, '{"step": 1}\n');
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(got, '{"step": 1}\n');
    fs.appendFileSync(file, '{"step": 2}\n');
    await tail.stop();
    assert.equal(got, '{"step": 1}\n{"step": 2}\n', 'stop reads what is left');
  });
});
