import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceNames } from '../../src/store/device-names.js';

describe('DeviceNames', () => {
  it('trims fields, and one device (one last time) stands for every way it is written', () => {
    const d = new DeviceNames();
    const a = d.inField(' cpu ')!;
    assert.equal(a.name, 'cpu');
    assert.equal(d.inField('cpu'), a);
    assert.equal(d.named('cpu'), a);
    a.lastT = 5;
    assert.equal(d.inField('cpu\t')!.lastT, 5);
    assert.notEqual(d.inField('gpu0'), a);
  });
  it('an empty name or one with control characters is no device, remembered or not', () => {
    const d = new DeviceNames();
    for (const raw of ['', '   ', 'gp\u0001u', 'a\u007fb']) {
      assert.equal(d.inField(raw), null, JSON.stringify(raw));
      assert.equal(d.inField(raw), null, `${JSON.stringify(raw)} again`);
    }
    assert.equal(d.named(''), null);
  });
  it('still names devices beyond those it remembers by their text', () => {
    const d = new DeviceNames();
    for (let i = 0; i < 300; i++) assert.equal(d.inField(`dev${i}`)!.name, `dev${i}`);
    assert.equal(d.inField('dev299'), d.named('dev299'));
  });
});
