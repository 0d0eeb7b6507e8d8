/**
 * NVIDIA throttle evidence through the whole sampler: a fake nvidia-smi whose GPU goes from
 * full clocks into a software thermal slowdown, a hardware thermal slowdown and a power cap
 * (clocks_event_reasons bits, as the driver reports them), idle in between.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Sampler, type TickReport } from '../../src/sampler/sampler.js';
import { fakeNvidiaSmi, tmpDir } from '../helpers.js';

const PHASES: { name: string; reasons: string; clock: number; want: [0 | 1 | null, string[]] }[] = [
  { name: 'full clocks', reasons: '0x0000000000000000', clock: 1980, want: [0, []] },
  { name: 'SW thermal slowdown', reasons: '0x0000000000000020', clock: 1500, want: [1, ['thermal']] },
  { name: 'idle', reasons: '0x0000000000000001', clock: 345, want: [0, []] },
  { name: 'HW thermal slowdown', reasons: '0x0000000000000040', clock: 900, want: [1, ['thermal']] },
  { name: 'power cap', reasons: '0x0000000000000004', clock: 1700, want: [1, ['power']] },
  { name: 'HW slowdown and power brake', reasons: '0x0000000000000088', clock: 700, want: [1, ['power', 'hardware']] },
];

describe('GPU throttling through the sampler', () => {
  it('SW/HW thermal slowdown, power capping and hardware slowdown are throttled with their causes; idle and full clocks are not', async () => {
    const dir = tmpDir();
    const script = path.join(dir, 'gpu.json');
    const setPhase = (p: (typeof PHASES)[number]): void => {
      const tmp = `${script}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ 0: { 'clocks_event_reasons.active': p.reasons, 'clocks.sm': p.clock } }));
      fs.renameSync(tmp, script); // whole files only: the fake re-reads it at every burst
    };
    setPhase(PHASES[0]!);
    process.env.FAKE_NVSMI_SCRIPT = script;
    const sampler = await Sampler.open({
      hz: 10, durationS: null, devices: ['gpu0'], estimatePower: null, disabledSources: ['hwmon', 'thermal-zone', 'rapl', 'cpufreq', 'thermal-throttle', 'meminfo'], engine: {},
      sensors: { sysfsRoot: path.join(dir, 'sys'), procfsRoot: '/proc', nvidiaSmi: fakeNvidiaSmi(dir), periodMs: 50, now: () => performance.now() },
    });
    delete process.env.FAKE_NVSMI_SCRIPT;
    const seen: { phase: string; r: TickReport }[] = [];
    let phase = PHASES[0]!.name;
    const run = sampler.run((r) => void seen.push({ phase, r }));
    for (const p of PHASES) {
      phase = 'changing'; // the ticks while the new state reaches the stream are not judged here
      setPhase(p);
      await new Promise((r) => setTimeout(r, 400)); // a few bursts and ticks in the new state
      phase = p.name;
      await new Promise((r) => setTimeout(r, 600));
    }
    await sampler.stop();
    await run;
    for (const p of PHASES) {
      const answers = seen.filter((x) => x.phase === p.name).map((x) => x.r.throttle[0]!);
      assert.ok(answers.length >= 3, `${p.name}: ${answers.length} ticks`);
      for (const a of answers) assert.deepEqual([a.throttled, a.causes, a.inferred], [...p.want, false], `${p.name}: ${JSON.stringify(a)}`);
    }
    const events = seen.flatMap((x) => x.r.events).filter((e) => e.type.startsWith('throttle_'));
    assert.deepEqual(events.map((e) => [e.type, e.detail]).slice(0, 3), [['throttle_start', 'thermal'], ['throttle_end', null], ['throttle_start', 'thermal']]);
  });
});
