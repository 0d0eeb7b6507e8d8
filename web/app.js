// rle dashboard: the session list and the session view (uPlot charts on one shared, synced time
// axis; a running session is followed through server-sent events). Missing data are gaps (null),
// never zeros. The token, if the page was opened with ?token=…, is passed on to every request.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const withToken = (u) => (token ? u + (u.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : u);
  const $ = (id) => document.getElementById(id);
  const fail = (e) => { $('error').textContent = String(e && e.message ? e.message : e); };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const iso = (t) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
  const dur = (s) => (s == null ? '—' : s >= 3600 ? (s / 3600).toFixed(1) + ' h' : s >= 120 ? (s / 60).toFixed(1) + ' min' : s.toFixed(0) + ' s');

  async function getJson(u) {
    const r = await fetch(withToken(u));
    if (!r.ok) throw new Error(u + ': ' + r.status + ' ' + (await r.text()));
    return r.json();
  }

  async function listPage() {
    const rows = await getJson('api/sessions');
    $('sessions').querySelector('tbody').innerHTML = rows.reverse().map((s) =>
      '<tr><td><a href="' + esc(withToken('session?id=' + encodeURIComponent(s.id))) + '">' + esc(s.name || s.id) + '</a></td><td>' + esc(s.kind) +
      '</td><td class="status-' + esc(s.status) + '">' + esc(s.status) + '</td><td>' + esc(iso(s.started_at)) + '</td><td>' + esc(dur(s.duration_s)) +
      '</td><td>' + esc(s.devices.join(', ')) + '</td><td>' + s.samples + '</td><td>' + (s.collapse_rate == null ? '—' : (s.collapse_rate * 100).toFixed(1) + ' %') +
      '</td><td>' + (s.status !== 'running' ? '<a href="' + esc(withToken('report/' + encodeURIComponent(s.id))) + '">report</a>' : 'live') + '</td></tr>').join('');
  }

  // ---- session view ----
  const sync = typeof uPlot !== 'undefined' ? uPlot.sync('rle') : null;
  const state = { t0: null, devices: {}, steps: null, spikes: new Set(), plots: [] };

  function seriesDefs(kind) {
    const s = (label, stroke, extra) => Object.assign({ label: label, stroke: stroke, width: 1.5, spanGaps: false }, extra || {});
    switch (kind) {
      case 'util': return [s('utilization %', '#2ca02c')];
      case 'temp': return [s('temperature °C', '#ff7f0e')];
      case 'power': return [s('power W (measured)', '#9467bd'), s('power W (estimated from utilization)', '#9467bd', { dash: [4, 4], width: 1 })];
      case 'rle': return [s('rle_smoothed', '#1f77b4'), s('rolling peak', '#1f77b4', { dash: [4, 3], width: 1 }), s('collapse', '#d62728', { paths: () => null, points: { show: true, size: 7, fill: '#d62728' } })];
      case 'eff': return [s('E_th', '#17becf'), s('E_pw', '#bcbd22')];
      case 'loss': return [s('loss', '#1f77b4', { points: { show: true, size: 4 } })];
      case 'grad': return [s('grad_norm', '#555'), s('spike', '#d62728', { paths: () => null, points: { show: true, size: 8, fill: '#d62728' } })];
    }
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
    return [x, st.grad_norm, st.grad_norm.map((g, i) => (state.spikes.has(st.step[i]) ? g : null))];
  }

  function makePlot(title, kind, data) {
    const box = document.createElement('div');
    box.className = 'chart';
    box.dataset.kind = kind;
    box.innerHTML = '<h2>' + esc(title) + '</h2>';
    $('charts').appendChild(box);
    const opts = {
      width: Math.min(1200, document.body.clientWidth - 24), height: 170,
      cursor: sync ? { sync: { key: sync.key } } : {},
      scales: { x: { time: false } },
      axes: [{ label: 'seconds from start' }, {}],
      series: [{ label: 's' }].concat(seriesDefs(kind)),
    };
    const p = new uPlot(opts, data, box);
    if (sync) sync.sub(p);
    p.rleKind = kind;
    box.rlePlot = p;
    state.plots.push(p);
    return p;
  }

  function merge(into, from) {
    for (const k of Object.keys(from)) into[k] = (into[k] || []).concat(from[k]);
  }

  function apply(delta) {
    if (delta.last_id > (state.lastId || 0)) state.lastId = delta.last_id;
    if (delta.steps.step.length) state.lastStep = delta.steps.step[delta.steps.step.length - 1];
    if (state.t0 === null) {
      const ts = Object.values(delta.devices).map((d) => d.t[0]).concat(delta.steps.t.slice(0, 1)).filter((x) => x != null);
      state.t0 = ts.length ? Math.min.apply(null, ts) : delta.session.started_at;
    }
    for (const [dev, d] of Object.entries(delta.devices)) {
      if (!state.devices[dev]) {
        state.devices[dev] = { cols: d, plots: {} };
        const name = Object.keys(state.devices).length > 1 || Object.keys(delta.devices).length > 1 ? ' — ' + dev : '';
        for (const [kind, title] of [['util', 'utilization'], ['temp', 'temperature'], ['power', 'power'], ['rle', 'RLE: rle_smoothed, rolling peak, collapses'], ['eff', 'E_th / E_pw']]) {
          state.devices[dev].plots[kind] = makePlot(title + name, kind, columns(kind, d));
        }
      } else {
        merge(state.devices[dev].cols, d);
        for (const [kind, p] of Object.entries(state.devices[dev].plots)) p.setData(columns(kind, state.devices[dev].cols));
      }
    }
    if (delta.steps.step.length) {
      if (!state.steps) {
        state.steps = delta.steps;
        state.lossPlot = makePlot('training loss', 'loss', stepColumns('loss'));
        state.gradPlot = makePlot('grad_norm and spikes', 'grad', stepColumns('grad'));
      } else {
        merge(state.steps, delta.steps);
        state.lossPlot.setData(stepColumns('loss'));
        state.gradPlot.setData(stepColumns('grad'));
      }
    }
    window.rleState = { samples: Object.values(state.devices).reduce((n, d) => n + d.cols.t.length, 0), steps: state.steps ? state.steps.step.length : 0, plots: state.plots.length };
  }

  async function sessionPage() {
    const id = params.get('id');
    $('back').href = withToken('./');
    const first = await getJson('api/sessions/' + encodeURIComponent(id));
    (first.spikes || []).forEach((s) => state.spikes.add(s));
    $('title').textContent = first.session.name || first.session.id;
    $('status').textContent = first.session.kind + ' · ' + first.session.status + ' · started ' + iso(first.session.started_at) + ' UTC';
    apply(first);
    if (first.session.status === 'running') {
      $('live').textContent = '● live';
      if (state.lastStep === undefined) state.lastStep = -1;
      // Reopened by hand after an error, from the last sample seen, so nothing arrives twice.
      const open = () => {
        const es = new EventSource(withToken('api/sessions/' + encodeURIComponent(id) + '/stream?after=' + (state.lastId || 0) + '&step=' + state.lastStep));
        es.addEventListener('data', (ev) => { $('live').textContent = '● live'; apply(JSON.parse(ev.data)); });
        es.addEventListener('end', (ev) => { es.close(); $('live').textContent = '(ended: ' + JSON.parse(ev.data).status + ')'; });
        es.onerror = () => { es.close(); $('live').textContent = '(reconnecting…)'; setTimeout(open, 2000); };
      };
      open();
    } else {
      const a = $('report');
      a.href = withToken('report/' + encodeURIComponent(id));
      a.hidden = false;
    }
  }

  const page = document.body.dataset.page;
  (page === 'list' ? listPage() : sessionPage()).catch(fail);
})();
