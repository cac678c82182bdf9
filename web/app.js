// hdrlog's web view: reads the JSON API (docs/web.md), never writes.
// Everything shown comes from the wire (addresses, paths, headers): it
// reaches the page only as text nodes (el() below), never as HTML.
'use strict';

const PAGE = 50;
const state = {
  flows: { offset: 0, sort: 'start', order: 'desc', filter: '', state: 'all' },
  http: { offset: 0 },
};
let refreshTimer = null;

// ---- small helpers ------------------------------------------------------

// el('td', {class: 'x'}, 'text', child): children that are strings
// become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children)
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function endpoint(addr, port) {
  if (addr === undefined) return '';
  const a = addr.includes(':') ? `[${addr}]` : addr;
  return port === undefined ? addr : `${a}:${port}`;
}

const FLAG_NAMES = [['F', 1], ['S', 2], ['R', 4], ['P', 8], ['A', 16], ['U', 32], ['E', 64], ['C', 128]];
function flags(n) {
  if (n === undefined) return '';
  return FLAG_NAMES.filter(([, bit]) => n & bit).map(([f]) => f).join('') || '·';
}

function ms(ns) {
  return ns === undefined ? '' : (ns / 1e6).toFixed(ns < 1e7 ? 3 : 1);
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function time(ts) {
  return ts ? ts.replace('T', ' ').replace(/\.(\d{3})\d*Z$/, '.$1') : '';
}

function setView(...children) {
  const v = document.getElementById('view');
  v.replaceChildren(...children);
}

function showError(where, err) {
  where.replaceChildren(el('p', { class: 'error', role: 'alert' }, String(err.message || err)));
}

function showDropped(d) {
  const p = document.getElementById('dropped');
  const parts = [];
  if (d.live_over_limit) parts.push(`${d.live_over_limit} live flows over the limit not shown`);
  if (d.ended_overwritten) parts.push(`${d.ended_overwritten} ended flows no longer kept`);
  if (d.http_overwritten) parts.push(`${d.http_overwritten} HTTP transactions no longer kept`);
  p.hidden = !parts.length;
  p.textContent = parts.length ? `Dropped: ${parts.join('; ')}.` : '';
}

function pager(total, offset, go) {
  const last = Math.min(offset + PAGE, total);
  return el('div', { class: 'pager' },
    el('button', { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE)) }, '‹ newer'),
    el('span', { class: 'range' }, total ? `${offset + 1}–${last} of ${total}` : 'none'),
    el('button', { type: 'button', disabled: last >= total, onclick: () => go(offset + PAGE) }, 'older ›'));
}

// ---- flows ---------------------------------------------------------------

const FLOW_COLUMNS = [
  ['start', 'Start'], ['source', 'Source'], ['destination', 'Destination'],
  [null, 'Proto'], ['state', 'State'], ['packets', 'Packets'],
  ['bytes', 'Bytes'], ['duration', 'Duration ms'], [null, 'HTTP'],
];

function flowRow(f) {
  const r = f.record;
  const pk = (r['hdrlog.flow.orig.packets'] || 0) + (r['hdrlog.flow.resp.packets'] || 0);
  const by = (r['hdrlog.flow.orig.bytes'] || 0) + (r['hdrlog.flow.resp.bytes'] || 0);
  return el('tr', { class: f.live ? 'flow live' : 'flow', 'data-id': f.id,
                    onclick: () => { location.hash = `#/flow/${f.id}`; } },
    el('td', {}, time(r.timestamp)),
    el('td', { class: 'addr' }, endpoint(r['source.address'], r['source.port'])),
    el('td', { class: 'addr' }, endpoint(r['destination.address'], r['destination.port'])),
    el('td', {}, r['network.transport'] || r['hdrlog.ip.proto']),
    el('td', {}, r['hdrlog.flow.conn_state'], f.live ? el('span', { class: 'badge' }, 'live') : null),
    el('td', { class: 'num' }, pk),
    el('td', { class: 'num' }, bytes(by)),
    el('td', { class: 'num' }, ms(r['hdrlog.flow.duration_ns'])),
    el('td', { class: 'num' }, r['hdrlog.flow.http_transactions'] || r['hdrlog.flow.http.request_starts'] || ''));
}

function flowsView() {
  const s = state.flows;
  const filter = el('input', { id: 'filter', type: 'search', value: s.filter, size: 40,
    placeholder: 'filter, e.g. tcp port 80 and host 198.18.0.2',
    'aria-label': 'filter expression (hdrlog filter language)' });
  const which = el('select', { id: 'flow-state', 'aria-label': 'which flows' },
    ...['all', 'live', 'ended'].map((v) => el('option', { value: v, selected: v === s.state }, v)));
  const out = el('div', { id: 'flows-out' });
  const form = el('form', { class: 'toolbar', onsubmit: (e) => {
    e.preventDefault();
    s.filter = filter.value; s.state = which.value; s.offset = 0;
    loadFlows(out);
  } }, filter, which, el('button', { type: 'submit' }, 'Apply'));
  setView(el('h2', {}, 'Flows'), form, out);
  loadFlows(out);
}

async function loadFlows(out) {
  const s = state.flows;
  const q = new URLSearchParams({ offset: s.offset, limit: PAGE, sort: s.sort,
                                  order: s.order, state: s.state });
  if (s.filter.trim()) q.set('filter', s.filter);
  let d;
  try { d = await api(`/api/flows?${q}`); } catch (e) { showError(out, e); return; }
  showDropped(d.dropped);
  const head = el('tr', {}, ...FLOW_COLUMNS.map(([key, label]) => {
    if (!key) return el('th', {}, label);
    const mark = s.sort === key ? (s.order === 'asc' ? ' ▲' : ' ▼') : '';
    return el('th', { class: 'sortable', 'data-sort': key, onclick: () => {
      s.order = s.sort === key && s.order === 'desc' ? 'asc' : 'desc';
      s.sort = key; loadFlows(out);
    } }, label + mark);
  }));
  out.replaceChildren(
    el('p', { class: 'summary' }, `${d.total} flows, ${d.live} live`),
    el('div', { class: 'scroll' }, el('table', { id: 'flows' },
      el('thead', {}, head), el('tbody', {}, ...d.flows.map(flowRow)))),
    pager(d.total, d.offset, (o) => { s.offset = o; loadFlows(out); }));
}

// ---- a flow: its timeline and its HTTP transactions ----------------------

function timelineTable(d) {
  const tl = d.timeline;
  const rows = [];
  let prev = 0;
  tl.packets.forEach((p, i) => {
    const fromOrig = p.from === 'originator';
    rows.push(el('tr', { 'data-seq': p.seq, 'data-len': p.length },
      el('td', { class: 'num' }, i + 1),
      el('td', { class: 'num' }, (p.t_us / 1000).toFixed(3)),
      el('td', { class: 'num' }, ((p.t_us - prev) / 1000).toFixed(3)),
      el('td', { class: fromOrig ? 'dir orig' : 'dir resp' }, fromOrig ? 'orig → resp' : 'orig ← resp'),
      el('td', {}, flags(p.tcp_flags)),
      el('td', { class: 'num' }, p.seq === undefined ? '' : p.seq),
      el('td', { class: 'num' }, p.ack === undefined ? '' : p.ack),
      el('td', { class: 'num' }, p.length)));
    prev = p.t_us;
  });
  return el('table', { id: 'timeline' },
    el('thead', {}, el('tr', {}, ...['#', 'time ms', 'Δ ms', 'direction', 'flags',
                                     'rel. seq', 'rel. ack', 'length'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows));
}

// Marks the packets whose sequence range holds n (a segment of length L
// covers [seq, seq + L); a SYN or FIN without payload covers seq).
function searchSeq(table, n, msg) {
  let first = null;
  for (const tr of table.tBodies[0].rows) {
    const seq = Number(tr.dataset.seq), len = Number(tr.dataset.len);
    const hit = tr.dataset.seq !== 'undefined' && tr.dataset.seq !== undefined &&
      (n === seq || (n >= seq && n < seq + len));
    tr.classList.toggle('hit', hit);
    if (hit && !first) first = tr;
  }
  if (first) first.scrollIntoView({ block: 'nearest' });
  msg.textContent = first ? '' : `no packet holds seq ${n}`;
}

function httpTable(list, withFlow) {
  return el('table', { class: 'http' },
    el('thead', {}, el('tr', {}, ...['Time', 'Method', 'Path / route', 'Status', 'Latency ms',
                                     'Client', 'Server', ...(withFlow ? ['Flow'] : [])].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...list.map((h) => httpRow(h, withFlow))));
}

function who(r, side) {
  const pod = r[`${side}.k8s.pod.name`];
  const proc = r[`${side}.process.executable.name`];
  const ctr = r[`${side}.container.name`];
  return [pod && `pod ${pod}`, ctr && `container ${ctr}`, proc].filter(Boolean).join(', ');
}

function httpRow(h, withFlow) {
  const r = h.record;
  const route = r['http.route'];
  const path = r['url.path'] || '';
  const status = r['http.response.status_code'];
  return el('tr', { class: 'txn', 'data-id': h.id, onclick: (e) => {
    if (e.target.tagName !== 'A') location.hash = `#/http/${h.id}`;
  } },
    el('td', {}, time(r.timestamp)),
    el('td', {}, r['http.request.method'] || ''),
    el('td', { class: 'path' }, path, route && route !== path ? el('span', { class: 'route' }, ` ${route}`) : null),
    el('td', { class: status >= 500 ? 'num bad' : status >= 400 ? 'num warn' : 'num' }, status || '—'),
    el('td', { class: 'num' }, ms(r['hdrlog.http.duration_ns'])),
    el('td', {}, who(r, 'source') || endpoint(r['source.address'], r['source.port'])),
    el('td', {}, who(r, 'destination') || endpoint(r['destination.address'], r['destination.port'])),
    withFlow ? el('td', {}, h.flow ? el('a', { href: `#/flow/${h.flow}`, class: 'flow-link' }, 'flow') : '—') : null);
}

async function flowView(id) {
  const out = el('div', {});
  setView(el('p', {}, el('a', { href: '#/flows' }, '‹ flows')), out);
  let d;
  try { d = await api(`/api/flows/${encodeURIComponent(id)}/timeline`); } catch (e) { showError(out, e); return; }
  const r = d.flow.record;
  const facts = [
    ['Source', endpoint(r['source.address'], r['source.port'])],
    ['Destination', endpoint(r['destination.address'], r['destination.port'])],
    ['Transport', r['network.transport'] || r['hdrlog.ip.proto']],
    ['State', `${r['hdrlog.flow.conn_state']}${d.flow.live ? ' (live)' : ''}`],
    ['History', r['hdrlog.flow.history'] || ''],
    ['Started', time(r.timestamp)],
    ['Duration ms', ms(r['hdrlog.flow.duration_ns'])],
    ['Packets', `${r['hdrlog.flow.orig.packets'] || 0} → / ${r['hdrlog.flow.resp.packets'] || 0} ←`],
    ['Bytes', `${r['hdrlog.flow.orig.bytes'] || 0} → / ${r['hdrlog.flow.resp.bytes'] || 0} ←`],
    ['RTT ms', ms(r['hdrlog.flow.tcp.srtt_ns'])],
    ['Flow id', r['hdrlog.flow.id']],
  ];
  const table = timelineTable(d);
  const msg = el('span', { id: 'seq-msg', class: 'hint' });
  const seq = el('input', { id: 'seq-search', type: 'number', min: 0, placeholder: 'relative seq',
                            'aria-label': 'search the timeline by sequence number' });
  seq.addEventListener('input', () => {
    if (seq.value === '') { searchSeq(table, NaN, msg); msg.textContent = ''; return; }
    searchSeq(table, Number(seq.value), msg);
  });
  const tl = d.timeline;
  out.replaceChildren(...[
    el('h2', { id: 'flow-title' }, `Flow ${endpoint(r['source.address'], r['source.port'])} → ${endpoint(r['destination.address'], r['destination.port'])}`),
    el('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('h3', {}, 'Packet timeline'),
    tl.kept ? el('p', { class: 'toolbar' }, 'Search by seq: ', seq, msg) :
      el('p', { class: 'hint' }, 'No timeline kept for this flow.'),
    tl.kept ? el('div', { class: 'scroll' }, table) : null,
    tl.cut ? el('p', { class: 'hint' }, `${tl.cut} later packets not kept (the timeline holds a flow's first ${tl.packets.length}).`) : null,
    el('h3', {}, `HTTP transactions (${d.http.length})`),
    d.http.length ? httpTable(d.http, false) : el('p', { class: 'hint' }, 'None seen on this flow.'),
  ].filter(Boolean));
}

// ---- HTTP ----------------------------------------------------------------

async function httpView() {
  const out = el('div', { id: 'http-out' });
  setView(el('h2', {}, 'HTTP transactions'), out);
  loadHttp(out);
}

async function loadHttp(out) {
  let d;
  try { d = await api(`/api/http?offset=${state.http.offset}&limit=${PAGE}`); } catch (e) { showError(out, e); return; }
  showDropped(d.dropped);
  out.replaceChildren(el('div', { class: 'scroll' }, httpTable(d.http, true)),
    pager(d.total, d.offset, (o) => { state.http.offset = o; loadHttp(out); }));
}

async function httpOneView(id) {
  const out = el('div', {});
  setView(el('p', {}, el('a', { href: '#/http' }, '‹ HTTP transactions')), out);
  let d;
  try { d = await api(`/api/http/${encodeURIComponent(id)}`); } catch (e) { showError(out, e); return; }
  const h = d.http, r = h.record;
  out.replaceChildren(
    el('h2', { id: 'http-title' }, `${r['http.request.method'] || '?'} ${r['url.path'] || ''}`),
    el('p', {}, h.flow ? el('a', { href: `#/flow/${h.flow}`, id: 'to-flow' }, 'its flow: packets and timeline ›')
                       : el('span', { class: 'hint' }, 'its flow is not in the store (yet, or any more)')),
    el('table', { class: 'record' }, el('tbody', {},
      ...Object.entries(r).map(([k, v]) => el('tr', {}, el('th', {}, k),
        el('td', {}, typeof v === 'object' ? JSON.stringify(v) : v))))));
}

// ---- topology ------------------------------------------------------------

// Layers by longest path from the nodes nobody calls (bounded: a cycle
// stops growing after n rounds), then evenly spread in each layer.
function layout(nodes, edges, width) {
  const layer = new Map(nodes.map((n) => [n.id, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let moved = false;
    for (const e of edges) {
      if (e.source === e.target) continue;
      const want = layer.get(e.source) + 1;
      if (want > layer.get(e.target) && want < nodes.length) { layer.set(e.target, want); moved = true; }
    }
    if (!moved) break;
  }
  const columns = [];
  for (const n of nodes) (columns[layer.get(n.id)] ||= []).push(n);
  const used = columns.filter(Boolean);
  const colW = Math.max(220, width / Math.max(1, used.length));
  const pos = new Map();
  let height = 0;
  used.forEach((col, ci) => {
    col.forEach((n, ri) => pos.set(n.id, { x: 110 + ci * colW, y: 60 + ri * 90 }));
    height = Math.max(height, 60 + col.length * 90);
  });
  return { pos, width: 110 + (used.length - 1) * colW + 130, height };
}

function edgeLabel(e) {
  const parts = [`${e.flows} flows`];
  if (e.requests) parts.push(`${e.request_rate.toFixed(2)} req/s`, `${(e.error_rate * 100).toFixed(0)}% err`, `${e.latency_ms.toFixed(2)} ms`);
  else if (e.failed) parts.push(`${e.failed} failed`);
  return parts.join(' · ');
}

async function topologyView() {
  const out = el('div', { id: 'topology-out' });
  setView(el('h2', {}, 'Service topology'), out);
  const from = { topology_records: 'from the topology records (--paths)',
                 flows: "from the store's flows and HTTP transactions" };
  let d;
  try { d = await api('/api/topology'); } catch (e) { showError(out, e); return; }
  const { pos, width, height } = layout(d.nodes, d.edges, 900);
  const g = svg('svg', { id: 'graph', viewBox: `0 0 ${Math.max(width, 300)} ${Math.max(height, 150)}`,
                         width: Math.max(width, 300), height: Math.max(height, 150), role: 'img',
                         'aria-label': 'service graph' },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
                                    markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z' }))));
  for (const e of d.edges) {
    const a = pos.get(e.source), b = pos.get(e.target);
    if (!a || !b) continue;
    const bad = e.error_rate > 0;
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - (a.x === b.x ? 0 : 14) };
    const path = a === b ? `M ${a.x} ${a.y - 24} c 60 -60 60 60 0 48`
      : `M ${a.x + 24} ${a.y} Q ${mid.x} ${mid.y - 20} ${b.x - 26} ${b.y}`;
    g.append(svg('g', { class: bad ? 'edge bad' : 'edge', 'data-source': e.source, 'data-target': e.target },
      svg('title', {}, `${e.source} → ${e.target} (${e.transport})` +
        (e.interfaces.length ? ` via ${e.interfaces.join(' > ')}` : '') +
        `\n${edgeLabel(e)}\n${bytes(e.bytes)}, handshake ${e.handshake_ms.toFixed(3)} ms`),
      svg('path', { d: path, 'marker-end': 'url(#arrow)' }),
      svg('text', { x: mid.x, y: mid.y - 8, 'text-anchor': 'middle' }, `${e.transport}: ${edgeLabel(e)}`)));
  }
  for (const n of d.nodes) {
    const p = pos.get(n.id);
    const label = n.kind === 'external' ? 'external (N/A)' : n.id;
    const hover = n.endpoints.join('\n') + (n.endpoints_more ? `\n… ${n.endpoints_more} more` : '');
    g.append(svg('g', { class: `node ${n.kind}`, 'data-id': n.id, transform: `translate(${p.x},${p.y})` },
      svg('title', {}, `${label}\n${hover}`),
      svg('circle', { r: 24 }),
      svg('text', { y: 42, 'text-anchor': 'middle' }, label),
      svg('text', { y: 5, 'text-anchor': 'middle', class: 'kind' }, n.kind[0].toUpperCase())));
  }
  out.replaceChildren(
    d.nodes.length ? el('div', { class: 'scroll' }, g) : el('p', { class: 'hint' }, 'No flows yet.'),
    el('p', { class: 'hint' }, `The graph ${from[d.from] || ''}. Hover a node for its addresses ` +
       'and ports, an edge for its counts. Peers that are not on this host are one external node.'),
    el('table', { id: 'edges' },
      el('thead', {}, el('tr', {}, ...['Client', 'Server', 'Transport', 'Interfaces', 'Flows', 'Failed', 'Requests',
                                       'Req/s', 'Error rate', 'Latency ms', 'Bytes'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...d.edges.map((e) => el('tr', {},
        el('td', {}, e.source), el('td', {}, e.target), el('td', {}, e.transport),
        el('td', {}, e.interfaces.join(' > ')),
        el('td', { class: 'num' }, e.flows), el('td', { class: 'num' }, e.failed),
        el('td', { class: 'num' }, e.requests), el('td', { class: 'num' }, e.request_rate.toFixed(2)),
        el('td', { class: 'num' }, `${(e.error_rate * 100).toFixed(1)}%`),
        el('td', { class: 'num' }, e.latency_ms.toFixed(3)), el('td', { class: 'num' }, bytes(e.bytes)))))));
}

// ---- routing and the live stream -------------------------------------------

function route() {
  const h = location.hash || '#/flows';
  let m;
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('here', h.startsWith(a.getAttribute('href')));
  if ((m = h.match(/^#\/flow\/(.+)$/))) return flowView(decodeURIComponent(m[1]));
  if ((m = h.match(/^#\/http\/(\d+)$/))) return httpOneView(m[1]);
  if (h === '#/http') return httpView();
  if (h === '#/topology') return topologyView();
  return flowsView();
}

// New records come by the stream; the list on screen reloads at most
// every 2 s (a busy host sends many), detail pages stay as they are.
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    const h = location.hash || '#/flows';
    if (h === '#/flows') { const out = document.getElementById('flows-out'); if (out) loadFlows(out); }
    else if (h === '#/http') { const out = document.getElementById('http-out'); if (out) loadHttp(out); }
    else if (h === '#/topology') topologyView();
  }, 2000);
}

function connectStream() {
  const badge = document.getElementById('stream');
  const es = new EventSource('/api/stream');
  es.onopen = () => { badge.textContent = 'stream: live'; badge.className = 'ok'; };
  es.onerror = () => { badge.textContent = 'stream: reconnecting'; badge.className = 'bad'; };
  es.addEventListener('live', (ev) => {
    const d = JSON.parse(ev.data);
    document.getElementById('status').textContent =
      `${d.live} live flows, ${d.ended} ended, ${d.http} HTTP transactions`;
    scheduleRefresh();
  });
  es.addEventListener('flow', scheduleRefresh);
  es.addEventListener('http', scheduleRefresh);
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', () => { route(); connectStream(); });
