#!/usr/bin/env node
/**
 * A SIMULATED heating system, to show RLE on a thermal system that is not a computer.
 * First-order room model: C·dT/dt = P_heater − (T − T_out)/R, integrated every second; an
 * on/off thermostat (21 °C ± 0.5 °C hysteresis) switches an electric heater of a given rating;
 * a cold day outside (−10 °C ± 4 °C, coldest at 03:00). Logged once a minute like a smart
 * plug and a room sensor would: Unix time, mean heater power (W), room temperature (°C, read
 * to 0.1 °C), duty (fraction of the minute the heater was on, 0–1), outdoor temperature.
 *
 *   node examples/heater/simulate.mjs            # writes heater-wellsized.csv, heater-undersized.csv
 *
 * Room: C = 5 MJ/K (air, walls, furniture of a small house), R = 0.01 K/W (heat loss 100 W/K:
 * 3.1 kW at −10 °C). Well-sized heater: 5 kW; undersized: 2 kW (it cannot hold 21 °C below
 * about +1 °C outside). Everything here is made up: these are not measurements.
 */
import fs from 'node:fs';
import path from 'node:path';

const C = 5e6; // J/K
const R = 0.01; // K/W
const SET = 21, HYST = 0.5; // °C
const START = Date.UTC(2026, 0, 15, 0, 0, 0) / 1000; // a January day, Unix s
const DAY = 86400;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function simulate(ratedW, seed) {
  const rand = mulberry32(seed);
  let T = SET, on = false;
  const rows = ['time,heater_w,room_c,duty,outdoor_c'];
  let energy = 0, onS = 0;
  for (let s = 0; s < DAY; s++) {
    const hour = s / 3600;
    const out = -10 + 4 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    if (T < SET - HYST) on = true;
    else if (T > SET + HYST) on = false;
    const P = on ? ratedW * (0.99 + 0.02 * rand()) : 0; // element output varies a little with mains voltage
    T += (P - (T - out) / R) / C; // 1 s step
    energy += P;
    onS += on ? 1 : 0;
    if ((s + 1) % 60 === 0) {
      rows.push([START + s + 1, (energy / 60).toFixed(1), (Math.round(T * 10) / 10).toFixed(1), (onS / 60).toFixed(3), out.toFixed(2)].join(','));
      energy = 0;
      onS = 0;
    }
  }
  return rows.join('\n') + '\n';
}

const here = path.dirname(new URL(import.meta.url).pathname);
for (const [name, rated, seed] of [['heater-wellsized.csv', 5000, 1], ['heater-undersized.csv', 2000, 2]]) {
  fs.writeFileSync(path.join(here, name), simulate(rated, seed));
  console.log(`wrote ${name} (${rated} W heater, simulated)`);
}
