// mamori dashboard: what every page shares. DOM building (text only: every
// string from the API is treated as hostile and reaches the page through
// textContent or setAttribute, never as markup), number, size and time
// formatting, the API client (session, CSRF header, 401 handling), and the
// chart defaults and colours.

// ---- values from the API: anything may be missing or of another type ----

export const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
export const num = (v) => (isNum(v) ? v : null);
export const str = (v) => (typeof v === 'string' ? v : isNum(v) ? String(v) : null);
export const arr = (v) => (Array.isArray(v) ? v : []);
export const obj = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

// Characters that reorder or hide text show as U+FFFD; other control
// characters become spaces (a line of a table stays one line).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CTRL = /[\u0000-\u001f\u007f-\u009f]/g;
const CTRL_KEEP_NL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function clean(s, max = 400) {
	let t = String(s).replace(BIDI, '\ufffd').replace(CTRL, ' ');
	if (max && t.length > max) t = t.slice(0, max) + '…';
	return t;
}

export function cleanBlock(s) {
	return String(s).replace(BIDI, '\ufffd').replace(CTRL_KEEP_NL, ' ');
}

// ---- DOM ----

// h('td', {class: 'num', 'data-x': 1}, child, ...): children are nodes,
// strings (as text), numbers, arrays of those, or null/false (skipped).
// Attribute keys starting with "on" take a function (an event listener).
export function h(tag, attrs, ...children) {
	const e = document.createElement(tag);
	if (attrs) {
		for (const [k, v] of Object.entries(attrs)) {
			if (v === null || v === undefined || v === false) continue;
			if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
			else if (k === 'class') e.className = v;
			else if (k === 'text') e.textContent = clean(v);
			else e.setAttribute(k, v === true ? '' : String(v));
		}
	}
	append(e, children);
	return e;
}

function append(e, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(e, c);
		else if (c instanceof Node) e.appendChild(c);
		else e.appendChild(document.createTextNode(clean(c)));
	}
}

// Goes to a hash; renders again when it is the one shown already.
export function navigate(hash) {
	if (location.hash === hash) window.dispatchEvent(new Event('mamori:route'));
	else location.hash = hash;
}

export function clear(e) {
	while (e.firstChild) e.removeChild(e.firstChild);
	return e;
}

// A figure the browser tests read: data-figure="NAME" data-value="RAW".
export function figure(name, raw, shown, tag = 'span', cls = 'fig') {
	const v = raw === null || raw === undefined ? '' : String(raw);
	return h(tag, {class: cls, 'data-figure': name, 'data-value': v}, shown === undefined ? fmtInt(raw) : shown);
}

export function card(label, value, sub, cls) {
	return h('div', {class: 'card' + (cls ? ' ' + cls : '')},
		h('div', {class: 'card-label'}, label),
		h('div', {class: 'card-value'}, value),
		sub ? h('div', {class: 'card-sub'}, sub) : null);
}

export function panel(title, extra, ...body) {
	return h('section', {class: 'panel'},
		h('div', {class: 'panel-head'}, h('h2', null, title), extra || null),
		h('div', {class: 'panel-body'}, body));
}

// A table: cols are [label, 'num'|'' (class of the column)]; rows are <tr>s.
export function table(cols, rows, empty = 'nothing', cls = '') {
	const head = h('tr', null, cols.map(([label, c]) => h('th', {class: c || null}, label)));
	const body = h('tbody', null, rows);
	if (!rows.length) body.appendChild(h('tr', {class: 'empty'}, h('td', {colspan: cols.length}, empty)));
	return h('div', {class: 'table-wrap'}, h('table', {class: 'grid ' + cls}, h('thead', null, head), body));
}

export const td = (v, cls) => h('td', {class: cls || null}, v);
export const tdNum = (v) => h('td', {class: 'num'}, fmtInt(v));

export function badge(text, kind) {
	return h('span', {class: 'badge' + (kind ? ' b-' + kind : '')}, text);
}

export function sevBadge(sev) {
	const s = str(sev) || 'unknown';
	const k = ['critical', 'high', 'medium', 'low'].includes(s) ? s : 'unknown';
	return badge(s, 'sev-' + k);
}

export function errorBox(msg) {
	return h('div', {class: 'error', 'data-role': 'error', role: 'alert'}, msg);
}

// An address or name as a link to the event search for it.
export function hostLink(ip) {
	const s = str(ip);
	if (!s) return '—';
	return h('a', {class: 'mono', href: '#/events?' + new URLSearchParams({host: s, type: 'alert,intel,event'})}, s);
}

// ---- formatting ----

const NF = new Intl.NumberFormat('en-US');
const NF1 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 1});

export function fmtInt(v) {
	if (isNum(v)) return NF.format(v);
	if (typeof v === 'string') return v;
	return '—';
}

export function fmtNum1(v) {
	return isNum(v) ? NF1.format(v) : '—';
}

export function fmtBytes(v) {
	if (!isNum(v)) return '—';
	const u = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
	let x = v, i = 0;
	while (Math.abs(x) >= 1000 && i < u.length - 1) {
		x /= 1000;
		i++;
	}
	return i === 0 ? NF.format(v) + ' B' : NF1.format(x) + ' ' + u[i];
}

// "26.5 MB (26,478,903 bytes)"
export function fmtBytesExact(v) {
	if (!isNum(v)) return '—';
	return v < 1000 ? NF.format(v) + ' bytes' : `${fmtBytes(v)} (${NF.format(v)} bytes)`;
}

export function fmtDuration(sec) {
	if (!isNum(sec)) return '—';
	if (sec < 1) return sec > 0 ? '< 1 s' : '0 s';
	let s = Math.round(sec);
	const d = Math.floor(s / 86400); s -= d * 86400;
	const hr = Math.floor(s / 3600); s -= hr * 3600;
	const m = Math.floor(s / 60); s -= m * 60;
	const parts = [];
	if (d) parts.push(d + ' d');
	if (hr) parts.push(hr + ' h');
	if (m && !d) parts.push(m + ' min');
	if (s && !d && !hr) parts.push(s + ' s');
	return parts.join(' ');
}

// RFC 3339 as the store writes it ("2024-01-15T09:05:00.000000+0000", also
// "Z" or "+00:00"), a date, or epoch seconds -> milliseconds, or NaN.
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/;
export function parseTime(v) {
	if (isNum(v)) return v * 1000;
	if (typeof v !== 'string') return NaN;
	const m = RFC3339.exec(v.trim());
	if (!m || +m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31 || +(m[4] || 0) > 23 || +(m[5] || 0) > 59 ||
		+(m[6] || 0) > 60) {
		return NaN;
	}
	const frac = m[7] ? Number('0.' + m[7]) * 1000 : 0;
	let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)) + frac;
	if (m[8] && m[8] !== 'Z') {
		const z = m[8].replace(':', '');
		const off = (+z.slice(1, 3) * 60 + +z.slice(3, 5)) * 60000;
		t -= z[0] === '-' ? -off : off;
	}
	return t;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// "2024-01-15 09:05:00" (UTC); the original text when it does not parse.
export function fmtTime(v, withMs = false) {
	const t = parseTime(v);
	if (Number.isNaN(t)) return str(v) || '—';
	const d = new Date(t);
	let s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
		`${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
	if (withMs) s += '.' + pad(d.getUTCMilliseconds(), 3);
	return s;
}

export function fmtClock(ms) {
	const d = new Date(ms);
	return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function fmtDay(ms) {
	const d = new Date(ms);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

// A time with the element's title holding the full original text.
export function timeCell(v, cls = 'time') {
	const s = str(v);
	return h('td', {class: cls, title: s ? clean(s) : null}, fmtTime(v));
}

// ---- EVE records ----

const EVENT_TYPES = new Set(['scan', 'beacon', 'dns_tunnel', 'exfil', 'pii', 'zone', 'darknet', 'daily']);

// The search's type of an EVE record: behaviour records are "event".
export function eventKind(ev) {
	const t = str(obj(ev).event_type) || '?';
	return EVENT_TYPES.has(t) ? 'event' : t;
}

function first(...v) {
	for (const x of v) if (x !== null && x !== undefined && x !== '') return x;
	return null;
}

// One line saying what a record is about.
export function eventSummary(ev) {
	const e = obj(ev);
	const t = str(e.event_type) || '';
	const o = obj(e[t]);
	const join = (...p) => p.filter((x) => x !== null && x !== undefined && x !== '').join(' ');
	switch (t) {
	case 'alert': {
		const sid = num(o.signature_id);
		return join(sid !== null ? `[${sid}]` : null, str(o.signature), str(o.category) ? `(${o.category})` : null);
	}
	case 'dns': {
		const q = obj(arr(o.queries)[0]);
		const name = first(str(o.rrname), str(q.rrname));
		const answers = Object.entries(obj(o.grouped)).map(([k, v]) => `${k} ${arr(v).slice(0, 3).join(', ')}`);
		return join(str(o.type), name, first(str(o.rrtype), str(q.rrtype)), str(o.rcode),
			answers.length ? '→ ' + answers.join('; ') : null);
	}
	case 'http':
		return join(str(o.http_method), (str(o.hostname) || '') + (str(o.url) || ''),
			num(o.status) !== null ? String(o.status) : null);
	case 'tls':
		return join(str(o.sni) || '(no SNI)', str(o.version));
	case 'fileinfo': {
		const host = str(obj(e.http).hostname);
		return join(str(o.filename), host ? `from ${host}` : null,
			isNum(o.size) ? fmtBytes(o.size) : null, str(o.state));
	}
	case 'intel': {
		const who = [str(o.actor), str(o.campaign)].filter(Boolean).join(', ');
		return join(str(o.indicator), str(o.type) ? `(${o.type})` : null,
			str(o.matched_field) ? `in ${o.matched_field}` : null,
			str(o.source) ? `— ${o.source}` : null, who ? `[${who}]` : null, o.retro === true ? 'retro-hunt' : null);
	}
	case 'flow': {
		const f = obj(e.flow);
		const b = (num(f.bytes_toserver) || 0) + (num(f.bytes_toclient) || 0);
		return join(str(e.app_proto), fmtBytes(b), str(f.state));
	}
	case 'scan':
		return join(str(o.kind), 'scan:', isNum(o.distinct_ports) ? `${fmtInt(o.distinct_ports)} ports` : null,
			isNum(o.distinct_hosts) ? `${fmtInt(o.distinct_hosts)} hosts` : null,
			isNum(o.probes) ? `(${fmtInt(o.probes)} probes)` : null);
	case 'beacon':
		return join('beacon', str(o.sni) ? `to ${o.sni}` : null, isNum(o.count) ? `${fmtInt(o.count)} connections` : null,
			isNum(o.interval_median) ? `every ~${fmtDuration(o.interval_median)}` : null,
			isNum(o.score) ? `score ${o.score}` : null);
	case 'dns_tunnel':
		return join('DNS tunnel', str(o.domain), isNum(o.queries) ? `${fmtInt(o.queries)} queries` : null,
			isNum(o.bytes_up) ? `${fmtBytes(o.bytes_up)} up` : null);
	case 'exfil':
		return join('exfiltration', isNum(o.bytes_out) ? fmtBytes(o.bytes_out) + ' out' : null,
			str(o.sni) ? `to ${o.sni}` : null, isNum(o.ratio) ? `ratio ${fmtNum1(o.ratio)}` : null);
	case 'pii': {
		const types = Object.keys(obj(o.types));
		return join('personal data', isNum(o.records) ? `${fmtInt(o.records)} identifiers` : null,
			types.length ? `(${types.join(', ')})` : null, str(o.direction));
	}
	case 'zone':
		if (str(o.kind) === 'summary') {
			return join('zone', str(o.zone), 'day', str(o.date), isNum(o.flows) ? `${fmtInt(o.flows)} flows` : null,
				isNum(o.violations) ? `${fmtInt(o.violations)} violations` : null);
		}
		return join('zone', str(o.zone), str(o.kind), str(o.rule) ? `rule ${o.rule}` : null,
			str(o.peer_zone) ? `peer ${o.peer_zone}` : null, str(o.direction));
	case 'daily': {
		const a = obj(o.attacks);
		return join('day', str(o.date), isNum(a.total) ? `${fmtInt(a.total)} potential attacks` : null,
			isNum(a.distinct_sources) ? `from ${fmtInt(a.distinct_sources)} sources` : null);
	}
	case 'darknet':
		return join('darknet', str(o.date), isNum(o.packets) ? `${fmtInt(o.packets)} packets` : null,
			isNum(o.sources) ? `${fmtInt(o.sources)} sources` : null);
	default: {
		const m = obj(o.mitre);
		return join(t, str(m.technique));
	}
	}
}

export function endpoint(ip, port) {
	const a = str(ip);
	if (!a) return '—';
	if (!isNum(port) || port === 0) return a;
	return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

// ---- API ----

export class AuthError extends Error {}

// Asks the application for the login form (a request answered 401 outside
// a page's loading).
export function needLogin() {
	window.dispatchEvent(new Event('mamori:login'));
}

export const session = {csrf: null, auth: false, version: null, store: null};

export async function api(path, opts = {}) {
	const init = {method: opts.method || 'GET', credentials: 'same-origin', headers: {Accept: 'application/json'}};
	if (init.method !== 'GET' && session.csrf) init.headers['X-Mamori-CSRF'] = session.csrf;
	if (opts.body !== undefined) {
		init.body = opts.body;
		if (opts.type) init.headers['Content-Type'] = opts.type;
	}
	if (opts.signal) init.signal = opts.signal;
	let res;
	try {
		res = await fetch(path, init);
	} catch (e) {
		if (e.name === 'AbortError') throw e;
		throw new Error(`${path}: the server cannot be reached (${e.message})`);
	}
	if (res.status === 401) throw new AuthError('authentication required');
	if (res.status === 204) return null;
	let data = null;
	const text = await res.text();
	try {
		data = text ? JSON.parse(text) : null;
	} catch (e) {
		if (res.ok) throw new Error(`${path}: the answer is not JSON`);
	}
	if (!res.ok) {
		const why = str(obj(data).error) || text.slice(0, 200) || res.statusText;
		const err = new Error(`${res.status}: ${why}`);
		err.status = res.status;
		throw err;
	}
	return data;
}

export async function loadSession() {
	const s = obj(await api('/api/session'));
	session.auth = s.auth === true;
	session.csrf = str(s.csrf);
	session.version = str(s.version);
	session.store = str(s.store);
	return s;
}

// ---- charts (Chart.js, loaded as /vendor/chart.umd.min.js) ----

const FONT = 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, sans-serif';
export const CHART_OK = typeof window.Chart === 'function';

if (CHART_OK) {
	const C = window.Chart;
	C.defaults.color = '#8b949e';
	C.defaults.borderColor = 'rgba(240, 246, 252, 0.08)';
	C.defaults.font.family = FONT;
	C.defaults.font.size = 11;
	C.defaults.animation = false;
	C.defaults.maintainAspectRatio = false;
	C.defaults.plugins.legend.labels.boxWidth = 10;
	C.defaults.plugins.legend.labels.boxHeight = 10;
	C.defaults.plugins.tooltip.backgroundColor = 'rgba(22, 27, 34, 0.96)';
	C.defaults.plugins.tooltip.borderColor = '#30363d';
	C.defaults.plugins.tooltip.borderWidth = 1;
	C.defaults.plugins.tooltip.titleColor = '#e6edf3';
	C.defaults.plugins.tooltip.bodyColor = '#c9d1d9';
}

const CAT_COLOURS = {
	scan: '#d29922', darknet: '#6e7681', beacon: '#f85149', dns_tunnel: '#a371f7', exfil: '#db61a2',
	pii: '#ff7b72', zone: '#3fb950', alert: '#2f81f7', intel: '#39c5cf', backscatter: '#8b949e',
};
// Colours of other names, in the order they are first asked for (distinct
// from the fixed ones while the palette lasts), the same for the whole visit.
const PALETTE = ['#ffa657', '#79c0ff', '#7ee787', '#d2a8ff', '#ff9bce', '#2dba9e', '#f2cc60', '#a5d6ff',
	'#bc8cff', '#e6edf3', '#ffdfb6', '#56d4dd'];
const given = new Map();

export function colourOf(name) {
	const s = String(name);
	if (CAT_COLOURS[s]) return CAT_COLOURS[s];
	if (!given.has(s)) given.set(s, PALETTE[given.size % PALETTE.length]);
	return given.get(s);
}

// A linear x axis of epoch milliseconds with UTC ticks at round steps (a
// second to a month), ten at most; Chart.js's own time axis would need a date
// adapter.
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
	172800, 604800, 2592000].map((x) => x * 1000);

export function timeScale(min, max, maxTicks = 10) {
	if (!(max > min)) max = min + 60000;
	const span = max - min;
	const step = STEPS.find((st) => span / st <= maxTicks) || Math.ceil(span / maxTicks / 86400000) * 86400000;
	const label = (v) => {
		const day = fmtDay(v).slice(5);
		const clock = fmtClock(v);
		if (step >= 86400000) return day;
		if (span > 86400000 || step >= 43200000) return `${day} ${clock.slice(0, 5)}`;
		return step < 60000 ? clock : clock.slice(0, 5);
	};
	return {
		type: 'linear', min, max,
		afterBuildTicks: (axis) => {
			const ticks = [];
			for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push({value: t});
			axis.ticks = ticks;
		},
		ticks: {callback: label, maxRotation: 0, autoSkip: false},
	};
}

export const SEV_COLOURS = {1: '#f85149', 2: '#f0883e', 3: '#d29922'};

// A canvas in a box of fixed height; the chart is made by the page's
// context (so that it is destroyed when the page goes).
export function chartBox(cls = '') {
	const canvas = h('canvas', {role: 'img'});
	return {box: h('div', {class: 'chart-box ' + cls}, canvas), canvas};
}

export function noChart() {
	return h('div', {class: 'muted'}, 'charts are not available (Chart.js did not load)');
}
