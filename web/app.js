// rle dashboard: the session list and the session view (uPlot charts on one shared, synced time
// axis; a running session is followed through server-sent events, in a window of its last
// LIVE_WINDOW_S seconds). Missing data are gaps (null), never zeros; a chart whose series the
// session never had says "not measured (why)" instead of drawing an empty frame. Throttled
// stretches are shaded bands with their cause. The token, if the page was opened with
// ?token=…, is passed on to every request.
(function () {
  'use strict';
  const LIVE_WINDOW_S = 600;
  const LIST_POLL_MS = 2000;
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const withToken = (u) => (token ? u + (u.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : u);
  const $ = (id) => document.getElementById(id);
  const fail = (e) => { $('error').textContent = String(e && e.message ? e.message : e); };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const iso = (t) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
  const dur = (s) => (s == null ? '—' : s >= 3600 ? (s / 3600).toFixed(1) + ' h' : s >= 120 ? (s / 60).toFixed(1) + ' min' : s.toFixed(0) + ' s');
  const pct = (x) => (x * 100).toFixed(1) + ' %';

  async function getJson(u) {
    const r = await fetch(withToken(u));
    if (!r.ok) throw new Error(u + ': ' + r.status + ' ' + (await r.text()));
    return r.json();
  }

  // ---- session list ----

  // Per device where there are several: a device without temperature has no collapse rate.
  function collapseCell(s) {
    const c = s.collapse || [];
    const one = (x) => (x.rate == null ? 'n/a (' + x.why + ')' : pct(x.rate));
    if (c.length === 0) return '—';
    if (c.length === 1) return esc(one(c[0]));
    return c.map((x) => esc(x.device + ' ' + one(x))).join('<br>');
  }

  function listRows(rows) {
    if (rows.length === 0) return '<tr class="empty"><td colspan="9">no sessions yet — run <code>rle monitor</code> or <code>rle train</code>; they appear here as they are recorded</td></tr>';
    return rows.slice().reverse().map((s) =>
      '<tr><td><a href="' + esc(withToken('session?id=' + encodeURIComponent(s.id))) + '">' + esc(s.name || s.id) + '</a></td><td>' + esc(s.kind) +
      '</td><td class="status-' + esc(s.status) + '">' + esc(s.status) + '</td><td>' + esc(iso(s.started_at)) + '</td><td>' + esc(dur(s.duration_s)) +
      '</td><td>' + esc(s.devices.join(', ') || '—') + '</td><td>' + s.samples + '</td><td>' + collapseCell(s) +
      '</td><td>' + (s.status !== 'running' ? '<a href="' + esc(withToken('report/' + encodeURIComponent(s.id))) + '">report</a>' : 'live') + '</td></tr>').join('');
  }

  async function listPage() {
    let last = null;
    const refresh = async () => {
      try {
        const html = listRows(await getJson('api/sessions'));
        if (html !== last) $('sessions').querySelector('tbody').innerHTML = last = html;
        $('error').textContent = '';
      } catch (e) {
        fail(e);
      }
    };
    await refresh();
    // sessions appear, and running ones end, without a reload (not while the tab is hidden)
    setInterval(() => { if (!document.hidden) refresh(); }, LIST_POLL_MS);
  }

  // ---- session view ----
  const sync = typeof uPlot !== 'undefined' ? uPlot.sync('rle') : null;
  const state = { t0: null, live: false, devices: {}, steps: null, stepBox: null, spikes: new Set(), plots: [] };

  const fixed = (lo, hi) => () => [lo, hi];
  const fromZero = (floor) => (u, min, max) => [0, max == null ? floor : Math.max(floor, max * 1.08)];
  // Temperature: at least 10 °C tall, so a sensor's 1 °C steps do not fill the chart.
  const tempRange = (u, min, max) => {
    if (min == null) return [20, 100];
    const mid = (min + max) / 2, half = Math.max(5, ((max - min) / 2) * 1.1);
    return [Math.floor(mid - half), Math.ceil(mid + half)];
  };
  const autoRange = (u, min, max) => (min == null ? [0, 1] : min === max ? [min - 1, max + 1] : [min - (max - min) * 0.05, max + (max - min) * 0.05]);

  const CHARTS = {
    util: { title: 'utilization', range: fixed(0, 100), series: () => [s('utilization %', '#2ca02c')] },
    temp: { title: 'temperature', range: tempRange, series: () => [s('temperature °C', '#ff7f0e')] },
    power: { title: 'power', range: fromZero(10), series: () => [s('power W (measured)', '#9467bd'), s('power W (estimated from utilization)', '#9467bd', { dash: [4, 4], width: 1 })] },
    rle: { title: 'RLE: rle_smoothed, rolling peak, collapses', range: fromZero(1), series: () => [s('rle_smoothed', '#1f77b4'), s('rolling peak', '#1f77b4', { dash: [4, 3], width: 1 }), s('collapse', '#d62728', { paths: () => null, points: { show: true, size: 7, fill: '#d62728' } })] },
    eff: { title: 'E_th / E_pw', range: fromZero(1), series: () => [s('E_th', '#17becf'), s('E_pw', '#bcbd22')] },
    loss: { title: 'training loss', range: autoRange, series: () => [s('loss', '#1f77b4', { points: { show: true, size: 4 } })] },
    grad: { title: 'grad_norm and spikes', range: fromZero(1), series: () => [s('grad_norm', '#555'), s('spike', '#d62728', { paths: () => null, points: { show: true, size: 8, fill: '#d62728' } })] },
    steptime: { title: 'step time (each step\'s duration)', range: fromZero(0.001), series: () => [s('step time s', '#8c564b', { points: { show: true, size: 4 } })] },
  };
  const DEVICE_CHARTS = ['util', 'temp', 'power', 'rle', 'eff'];
  function s(label, stroke, extra) {
    return Object.assign({ label: label, stroke: stroke, width: 1.5, spanGaps: false }, extra || {});
  }

  // What a chart says under its title when (part of) its data is missing; hide: no chart at all.
  function missingOf(kind, info) {
    const m = (info && info.missing) || {};
    switch (kind) {
      case 'util': return m.util_pct ? { text: 'utilization: ' + m.util_pct, hide: true } : null;
      case 'temp': return m.temp_c ? { text: 'temperature: ' + m.temp_c, hide: true } : null;
      case 'power': return m.power_w ? { text: 'measured power: ' + m.power_w + '; the dashed line is the estimate the metric used (rated × utilization)', hide: false } : null;
      case 'rle': return m.collapse ? { text: 'collapses: ' + m.collapse, hide: false } : null;
      case 'eff': {
        const t = [m.E_th && 'E_th: ' + m.E_th, m.power_w && 'E_pw: from estimated power (no power reading), carries no information'].filter(Boolean);
        return t.length ? { text: t.join('; '), hide: false } : null;
      }
    }
    return null;
  }

  function columns(kind, d) {
    const x = d.t.map((t) => t - state.t0);
    switch (kind) {
      case 'util': return [x, d.util_pct];
      case 'temp': return [x, d.temp_c];
      case 'power': return [x, d.power_w, d.power_estimated_w];
      case 'rle': return [x, d.rle_smoothed, d.rolling_peak, d.rle_smoothed.map((v, i) => (d.collapse[i] ? v : null))];
      case 'eff': return [x, d.E_th, d.E_pw];
    }
  }

  function stepColumns(kind) {
    const st = state.steps;
    const x = st.t.map((t) => t - state.t0);
    if (kind === 'loss') return [x, st.loss];
    if (kind === 'steptime') return [x, st.duration_s];
    return [x, st.grad_norm, st.grad_norm.map((g, i) => (state.spikes.has(st.step[i]) ? g : null))];
  }

  // Throttled stretches of a device: [from, to, label] in seconds from t0; a stretch lasts to the
  // next sample, and one cannot-tell sample inside it does not split it (as the detector's
  // intervals bridge it: THROTTLE_DEFAULTS.bridgeNullSamples).
  const BRIDGE_NULL_SAMPLES = 1;
  function throttleBands(d) {
    const out = [];
    let start = null, causes = null, unknown = 0;
    const close = (i) => {
      const endI = i - unknown; // the first sample after the stretch (the bridged nulls are not in it)
      out.push([start - state.t0, (endI < d.t.length ? d.t[endI] : d.t[d.t.length - 1]) - state.t0, 'throttled: ' + Array.from(causes).join(' / ')]);
      start = null;
    };
    for (let i = 0; i < d.t.length; i++) {
      const v = d.throttled[i];
      if (v === 1) {
        if (start === null) { start = d.t[i]; causes = new Set(); }
        causes.add(String(d.throttle_causes[i] || 'other').replace(/;/g, ', '));
        unknown = 0;
      } else if (start !== null && v == null && unknown < BRIDGE_NULL_SAMPLES) unknown++;
      else if (start !== null) close(i);
    }
    if (start !== null) close(d.t.length);
    return out;
  }

  function allBands() {
    const out = [];
    const many = Object.keys(state.devices).length > 1;
    for (const [dev, x] of Object.entries(state.devices)) for (const b of throttleBands(x.cols)) out.push([b[0], b[1], many ? dev + ' ' + b[2] : b[2]]);
    return out;
  }

  // Shaded bands behind the series, with their cause written at the top.
  function drawBands(u) {
    const bands = u.rleBands ? u.rleBands() : [];
    if (!bands.length) return;
    const ctx = u.ctx, b = u.bbox, px = window.devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    ctx.font = 11 * px + 'px sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left'; // uPlot leaves its axes' alignment on the context
    let free = -Infinity; // labels never overwrite each other: a band too close to the last label goes without
    for (const [a, z, label] of bands) {
      const x0 = u.valToPos(a, 'x', true), x1 = Math.max(u.valToPos(z, 'x', true), x0 + px);
      ctx.fillStyle = 'rgba(230, 85, 13, 0.16)';
      ctx.fillRect(x0, b.top, x1 - x0, b.height);
      if (x0 >= free) {
        const w = ctx.measureText(label).width;
        const lx = Math.max(b.left, Math.min(x0, b.left + b.width - w - 6 * px)); // a band at the right edge keeps its whole label
        ctx.fillStyle = 'rgba(255, 255, 255, 0.6)';
        ctx.fillRect(lx + 1 * px, b.top + 1 * px, w + 4 * px, 13 * px);
        ctx.fillStyle = '#a63603';
        ctx.fillText(label, lx + 3 * px, b.top + 2 * px);
        free = lx + w + 10 * px;
      }
    }
    ctx.restore();
  }

  function makeChart(parent, kind, title, data, bands) {
    const def = CHARTS[kind];
    const box = document.createElement('div');
    box.className = 'chart';
    box.dataset.kind = kind;
    box.innerHTML = '<h3>' + esc(title) + '</h3><p class="missing" hidden></p>';
    parent.appendChild(box);
    const opts = {
      width: Math.min(1200, document.body.clientWidth - 24), height: 170,
      cursor: sync ? { sync: { key: sync.key } } : {},
      // one time range for every chart (device and step charts alike), so the synced cursor lines up
      scales: { x: { time: false, range: (u, min, max) => state.xr || [min, max] }, y: { range: def.range } },
      axes: [{ label: 'seconds from start' }, {}],
      series: [{ label: 's' }].concat(def.series()),
      hooks: { drawClear: [drawBands] },
    };
    const p = new uPlot(opts, data, box);
    p.rleBands = bands;
    if (sync) sync.sub(p);
    p.rleKind = kind;
    box.rlePlot = p;
    state.plots.push(p);
    return { box: box, plot: p };
  }

  function showMissing(chart, miss) {
    const el = chart.box.querySelector('.missing');
    el.hidden = !miss;
    el.textContent = miss ? miss.text : '';
    chart.plot.root.hidden = !!(miss && miss.hide);
    chart.box.classList.toggle('not-measured', !!(miss && miss.hide));
  }

  function concat(into, from) {
    for (const k of Object.keys(from)) into[k] = (into[k] || []).concat(from[k]);
  }

  // The live window: drop what is older than LIVE_WINDOW_S before the newest point.
  function trim(cols, lastT) {
    const from = lastT - LIVE_WINDOW_S;
    let k = 0;
    while (k < cols.t.length && cols.t[k] < from) k++;
    if (k > 0) for (const key of Object.keys(cols)) if (Array.isArray(cols[key])) cols[key] = cols[key].slice(k);
  }

  function deviceSection(dev) {
    const sec = document.createElement('section');
    sec.className = 'device';
    sec.dataset.device = dev;
    sec.innerHTML = '<h2>' + esc(dev) + '</h2><p class="throttle"></p>';
    $('charts').insertBefore(sec, state.stepBox);
    return sec;
  }

  function renderNotes(notes) {
    const box = $('notes');
    box.hidden = !notes.length;
    box.querySelector('ul').innerHTML = notes.map((n) => '<li>' + esc(n) + '</li>').join('');
  }

  function apply(delta) {
    if (delta.last_id > (state.lastId || 0)) state.lastId = delta.last_id;
    if (delta.steps.step.length) state.lastStep = delta.steps.step[delta.steps.step.length - 1];
    if (state.t0 === null) {
      const ts = Object.values(delta.devices).map((d) => d.t[0]).concat(delta.steps.t.slice(0, 1)).filter((x) => x != null);
      state.t0 = Math.min.apply(null, ts.concat([delta.session.started_at]));
    }
    if (delta.notes) renderNotes(delta.notes);
    const names = Object.keys(Object.assign({}, delta.info, delta.devices));
    const many = names.length > 1 || Object.keys(state.devices).length > 1;
    for (const dev of names) {
      let x = state.devices[dev];
      const d = delta.devices[dev];
      if (!x) {
        x = state.devices[dev] = { cols: null, info: null, charts: {}, sec: deviceSection(dev) };
      }
      if (d) {
        if (!x.cols) x.cols = d;
        else concat(x.cols, d);
      }
      if (delta.info && delta.info[dev]) x.info = delta.info[dev];
    }
    let lastT = -Infinity;
    for (const x of Object.values(state.devices)) if (x.cols && x.cols.t.length) lastT = Math.max(lastT, x.cols.t[x.cols.t.length - 1]);
    if (delta.steps.step.length) {
      if (!state.steps) state.steps = delta.steps;
      else concat(state.steps, delta.steps);
      lastT = Math.max(lastT, state.steps.t[state.steps.t.length - 1]);
    }
    if (state.live && lastT > -Infinity) {
      for (const x of Object.values(state.devices)) if (x.cols) trim(x.cols, lastT);
      if (state.steps) trim(state.steps, lastT);
    }
    let lo = Infinity, hi = -Infinity;
    for (const x of Object.values(state.devices)) if (x.cols && x.cols.t.length) { lo = Math.min(lo, x.cols.t[0]); hi = Math.max(hi, x.cols.t[x.cols.t.length - 1]); }
    if (state.steps && state.steps.t.length) { lo = Math.min(lo, state.steps.t[0]); hi = Math.max(hi, state.steps.t[state.steps.t.length - 1]); }
    state.xr = lo < hi ? [lo - state.t0, hi - state.t0] : null;
    for (const [dev, x] of Object.entries(state.devices)) {
      if (!x.cols) continue;
      const th = x.sec.querySelector('.throttle');
      th.textContent = x.info ? x.info.throttle : '';
      th.className = 'throttle' + (x.info && !x.info.throttle_known ? ' unknown' : /THROTTLED/.test(th.textContent) ? ' yes' : '');
      for (const kind of DEVICE_CHARTS) {
        const data = columns(kind, x.cols);
        if (!x.charts[kind]) x.charts[kind] = makeChart(x.sec, kind, CHARTS[kind].title + (many ? ' — ' + dev : ''), data, () => throttleBands(x.cols));
        else x.charts[kind].plot.setData(data);
        showMissing(x.charts[kind], missingOf(kind, x.info));
      }
    }
    if (state.steps && state.steps.step.length) {
      const withTime = state.steps.duration_s.some((v) => v != null);
      for (const kind of ['loss', 'grad', 'steptime']) {
        if (kind === 'steptime' && !withTime && !state.stepCharts[kind]) continue;
        if (!state.stepCharts[kind]) state.stepCharts[kind] = makeChart(state.stepBox, kind, CHARTS[kind].title, stepColumns(kind), allBands);
        else state.stepCharts[kind].plot.setData(stepColumns(kind));
      }
    }
    const bands = Object.values(state.devices).reduce((n, x) => n + (x.cols ? throttleBands(x.cols).length : 0), 0);
    window.rleState = {
      samples: Object.values(state.devices).reduce((n, x) => n + (x.cols ? x.cols.t.length : 0), 0),
      steps: state.steps ? state.steps.step.length : 0,
      plots: state.plots.length,
      bands: bands,
      missing: Array.from(document.querySelectorAll('.missing')).filter((e) => !e.hidden).length,
    };
  }

  function statusLine(se) {
    const ended = se.ended_at != null ? ' · ran ' + dur(se.ended_at - se.started_at) : '';
    return se.kind + ' · ' + se.status + ' · started ' + iso(se.started_at) + ' UTC' + ended;
  }

  function showReport(id) {
    const a = $('report');
    a.href = withToken('report/' + encodeURIComponent(id));
    a.hidden = false;
  }

  async function sessionPage() {
    const id = params.get('id');
    $('back').href = withToken('./');
    state.stepBox = document.createElement('section');
    state.stepBox.className = 'steps';
    state.stepCharts = {};
    $('charts').appendChild(state.stepBox);
    const first = await getJson('api/sessions/' + encodeURIComponent(id) + '?live_window=' + LIVE_WINDOW_S);
    (first.spikes || []).forEach((x) => state.spikes.add(x));
    $('title').textContent = first.session.name || first.session.id;
    $('status').textContent = statusLine(first.session);
    state.live = first.session.status === 'running';
    apply(first);
    if (!state.live) return showReport(id);
    $('live').textContent = '● live';
    $('window').textContent = 'showing the last ' + LIVE_WINDOW_S / 60 + ' min';
    if (state.lastStep === undefined) state.lastStep = -1;
    // Reopened by hand after an error, from the last sample seen, so nothing arrives twice.
    const open = () => {
      const es = new EventSource(withToken('api/sessions/' + encodeURIComponent(id) + '/stream?after=' + (state.lastId || 0) + '&step=' + state.lastStep));
      es.addEventListener('data', (ev) => { $('live').textContent = '● live'; apply(JSON.parse(ev.data)); });
      es.addEventListener('end', (ev) => {
        es.close();
        const end = JSON.parse(ev.data);
        $('status').textContent = statusLine(Object.assign({}, first.session, end));
        $('live').textContent = '';
        $('window').innerHTML = 'the session has ended: <a href="' + esc(location.href) + '">show all of it</a>';
        showReport(id);
      });
      es.onerror = () => { es.close(); $('live').textContent = '(reconnecting…)'; setTimeout(open, 2000); };
    };
    open();
  }

  const page = document.body.dataset.page;
  (page === 'list' ? listPage() : sessionPage()).catch(fail);
})();
