// mamori dashboard: the overview (#/). Key figures of the window
// (GET /api/summary), potential attacks per day by category and the
// window's split by category, the top sources, destinations and
// signatures, the newest incidents, and the live feed (GET /api/events,
// then the server-sent events of /api/live).

import {
	h, clear, num, str, arr, obj, isNum, figure, card, panel, table, badge, sevBadge, errorBox,
	hostLink, fmtInt, fmtTime, fmtClock, fmtDay, parseTime, eventKind, eventSummary, endpoint, colourOf,
	chartBox, noChart, navigate, AuthError, CHART_OK,
} from './lib.js';

const DAY_CHOICES = [7, 30, 90, 180, 365];
const FEED_MAX = 200;
const INCIDENTS_SHOWN = 10;

function daysParam(params) {
	const d = Number(params.get('days'));
	return Number.isInteger(d) && d >= 1 && d <= 366 ? d : 30;
}

export async function render(ctx) {
	const days = daysParam(ctx.params);
	const [sumR, incR, evR] = await Promise.allSettled([
		ctx.api(`/api/summary?days=${days}`),
		ctx.api('/api/incidents'),
		ctx.api('/api/events?limit=50'),
	]);
	for (const r of [sumR, incR, evR]) {
		if (r.status === 'rejected' && (r.reason instanceof AuthError || r.reason.name === 'AbortError')) {
			throw r.reason;
		}
	}
	if (sumR.status === 'rejected') throw sumR.reason;
	const sum = obj(sumR.value);
	const root = ctx.root;

	root.appendChild(head(sum, days));
	root.appendChild(cards(sum, days));

	const totals = obj(sum.totals);
	const cats = Object.entries(obj(totals.by_category)).filter(([, v]) => isNum(v))
		.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

	const perDay = chartBox('tall');
	const split = chartBox('short');
	root.appendChild(h('div', {class: 'row wide-left'},
		panel('Potential attacks per day, by category', h('span', {class: 'muted small'},
			`${str(sum.from) || '?'} – ${str(sum.to) || '?'} (UTC days)`), CHART_OK ? perDay.box : noChart()),
		panel('By category', h('span', {class: 'muted small'}, `${days} days`),
			cats.length ? (CHART_OK ? split.box : noChart()) : null, categoryTable(cats))));

	const top = obj(sum.top);
	root.appendChild(h('div', {class: 'row three'},
		panel('Top sources', null, topIpTable(arr(top.sources), 'top-source', 'source')),
		panel('Top destinations', null, topIpTable(arr(top.destinations), 'top-destination', 'destination')),
		panel('Top signatures', null, topSigTable(arr(top.signatures)))));

	const incBody = h('div', {class: 'panel-body flush'});
	const feedBody = h('div', {class: 'feed'});
	const feedCount = h('span', {class: 'muted small'});
	root.appendChild(h('div', {class: 'row wide-right'},
		h('section', {class: 'panel'},
			h('div', {class: 'panel-head'}, h('h2', null, 'Incidents'),
				h('a', {href: '#/incidents', class: 'small'}, 'all incidents →')),
			incBody),
		h('section', {class: 'panel'},
			h('div', {class: 'panel-head'}, h('h2', null, 'Live feed'), feedCount),
			h('div', {class: 'panel-body flush'}, feedBody))));

	let incList = [];
	if (incR.status === 'fulfilled') {
		incList = arr(obj(incR.value).incidents).slice(0, INCIDENTS_SHOWN);
		incBody.appendChild(incidentTable(incList));
	} else {
		incBody.appendChild(errorBox(`incidents: ${incR.reason.message}`));
	}

	const feed = new Feed(feedBody, feedCount);
	if (evR.status === 'fulfilled') {
		feed.fill(arr(obj(evR.value).events));
	} else {
		feedBody.appendChild(errorBox(`events: ${evR.reason.message}`));
	}

	if (CHART_OK) {
		ctx.chart(perDay.canvas, perDayConfig(sum, cats));
		if (cats.length) ctx.chart(split.canvas, splitConfig(cats));
	}
	startLive(ctx, feed, incBody, incList);
}

function head(sum, days) {
	const sel = h('select', {'aria-label': 'window', 'data-role': 'days'},
		DAY_CHOICES.concat(DAY_CHOICES.includes(days) ? [] : [days]).sort((a, b) => a - b)
			.map((d) => h('option', {value: d, selected: d === days}, `${d} days`)));
	sel.addEventListener('change', () => navigate('#/?days=' + sel.value));
	return h('div', {class: 'page-head'},
		h('h1', null, 'Overview'),
		h('span', {class: 'meta'}, str(sum.clock) ? `store clock ${fmtTime(sum.clock)} UTC` : ''),
		h('span', {class: 'spacer'}),
		sel);
}

function cards(sum, days) {
	const t = obj(sum.totals);
	const today = obj(sum.today);
	const range = `${str(sum.from) || '?'} – ${str(sum.to) || '?'}`;
	return h('div', {class: 'cards'},
		card("Today's potential attacks", figure('today-attacks', today.attacks),
			[figure('today-date', str(today.date) || '', str(today.date) || '—'),
				isNum(today.sources) ? ` · ${fmtInt(today.sources)} sources` : ''], 'hot'),
		card(`Potential attacks, ${days} days`, figure('total-attacks', t.attacks), range, 'warn'),
		card('Alerts', figure('total-alerts', t.alerts), 'rule matches in the window', 'info'),
		card('Intel sightings', figure('total-intel', t.intel), 'indicator matches', 'info'),
		card('Behaviour events', figure('total-events', t.events), 'scans, beacons, tunnels, exfiltration', 'info'),
		card('Open incidents', figure('incidents-open', t.incidents_open),
			['of ', figure('incidents', t.incidents), ' incidents'], num(t.incidents_open) ? 'hot' : 'ok'),
		card('Darknet packets', figure('darknet-packets', t.darknet_packets), 'to unused addresses'),
		card('Zone violations', figure('zone-violations', t.zone_violations), 'flows against zone policy',
			num(t.zone_violations) ? 'warn' : 'ok'));
}

function categoryTable(cats) {
	const total = cats.reduce((s, [, v]) => s + v, 0);
	const rows = cats.map(([name, v]) => h('tr', {'data-row': 'category', 'data-category': name},
		h('td', null, h('span', {class: 'swatch', 'data-colour': colourOf(name)}), name),
		h('td', {class: 'num'}, figure(`category-${name}`, v)),
		h('td', {class: 'num muted'}, total ? `${((100 * v) / total).toFixed(1)}%` : '')));
	const t = table([['category'], ['count', 'num'], ['share', 'num']], rows, 'no potential attacks in the window',
		'compact legend-table');
	for (const s of t.querySelectorAll('.swatch')) s.style.background = s.getAttribute('data-colour');
	return t;
}

// A count with a bar of its share of the largest (width set from script:
// the style sheet policy allows no inline style attributes).
function countBar(v, max) {
	const bar = h('span', {class: 'bar'});
	bar.style.display = 'block';
	bar.style.marginLeft = 'auto';
	bar.style.height = '3px';
	bar.style.marginTop = '2px';
	bar.style.borderRadius = '2px';
	bar.style.background = 'rgba(47, 129, 247, 0.55)';
	bar.style.width = `${max > 0 && isNum(v) ? Math.max(2, (100 * v) / max) : 0}%`;
	return [fmtInt(v), bar];
}

function topIpTable(list, rowName, what) {
	const max = Math.max(0, ...list.map((x) => num(obj(x).count) || 0));
	const rows = list.map((x) => {
		const o = obj(x);
		return h('tr', {'data-row': rowName, 'data-ip': str(o.ip) || '', 'data-count': str(o.count) || ''},
			h('td', {class: 'ip'}, hostLink(o.ip)),
			h('td', {class: 'num count'}, countBar(o.count, max)));
	});
	return table([[what], ['signals', 'num']], rows, `no ${what}s in the window`, 'compact');
}

function topSigTable(list) {
	const max = Math.max(0, ...list.map((x) => num(obj(x).count) || 0));
	const rows = list.map((x) => {
		const o = obj(x);
		const sid = str(o.sid) || '';
		return h('tr', {'data-row': 'top-signature', 'data-sid': sid, 'data-count': str(o.count) || ''},
			h('td', {class: 'num mono'}, sid ? h('a', {href: '#/events?' + new URLSearchParams({signature: sid,
				type: 'alert'})}, sid) : '—'),
			h('td', null, str(o.msg) || '—'),
			h('td', {class: 'num count'}, countBar(o.count, max)));
	});
	return table([['sid', 'num'], ['signature'], ['alerts', 'num']], rows, 'no alerts in the window', 'compact');
}

function incidentRow(x) {
	const o = obj(x);
	const id = str(o.id) || '';
	const link = h('a', {href: '#/incident/' + encodeURIComponent(id)}, '#' + id);
	return h('tr', {'data-row': 'incident', 'data-id': id},
		h('td', {class: 'num mono'}, link),
		h('td', null, sevBadge(o.severity)),
		h('td', {class: 'num'}, fmtInt(o.score)),
		h('td', null, badge(str(o.status) || '?', str(o.status) === 'open' ? 'open' : 'closed')),
		h('td', null, h('a', {href: '#/incident/' + encodeURIComponent(id)}, str(o.title) || '(no title)')),
		h('td', {class: 'time', title: str(o.last_seen)}, fmtTime(o.last_seen).slice(5, 16)));
}

function incidentTable(list) {
	return table([['#', 'num'], ['severity'], ['score', 'num'], ['status'], ['title'], ['last seen']],
		list.map(incidentRow), 'no incidents', 'compact');
}

// The live feed: newest first, FEED_MAX rows at most.
class Feed {
	constructor(body, counter) {
		this.counter = counter;
		this.tbody = h('tbody');
		this.empty = h('tr', {class: 'empty'}, h('td', {colspan: 4}, 'waiting for events'));
		this.tbody.appendChild(this.empty);
		body.appendChild(h('div', {class: 'table-wrap'}, h('table', {class: 'grid compact'},
			h('thead', null, h('tr', null, h('th', null, 'time (UTC)'), h('th', null, 'type'),
				h('th', null, 'source → destination'), h('th', null, 'summary'))),
			this.tbody)));
		this.n = 0;
	}

	fill(events) {
		for (let i = events.length - 1; i >= 0; i--) this.add(eventKind(events[i]), events[i], false);
	}

	add(kind, data, fresh) {
		if (this.empty.parentNode) this.empty.remove();
		const row = kind === 'incident' ? incidentFeedRow(data) : eventFeedRow(kind, data);
		if (fresh) row.classList.add('fresh');
		this.tbody.prepend(row);
		while (this.tbody.rows.length > FEED_MAX) this.tbody.lastChild.remove();
		this.n++;
		this.counter.textContent = `${fmtInt(this.tbody.rows.length)} shown`;
	}
}

function eventFeedRow(kind, ev) {
	const e = obj(ev);
	const t = parseTime(e.timestamp);
	const type = str(e.event_type) || kind;
	return h('tr', {'data-row': 'live', 'data-kind': kind},
		h('td', {class: 'time', title: str(e.timestamp)}, Number.isNaN(t) ? '—' : `${fmtDay(t)} ${fmtClock(t)}`),
		h('td', null, badge(type, 'type b-' + kind)),
		h('td', {class: 'ip'}, str(e.src_ip) || str(e.dest_ip) ?
			`${endpoint(e.src_ip, e.src_port)} → ${endpoint(e.dest_ip, e.dest_port)}` : '—'),
		h('td', null, eventSummary(e)));
}

function incidentFeedRow(inc) {
	const o = obj(inc);
	const id = str(o.id) || '';
	const t = parseTime(o.last_seen);
	return h('tr', {'data-row': 'live', 'data-kind': 'incident'},
		h('td', {class: 'time'}, Number.isNaN(t) ? '—' : `${fmtDay(t)} ${fmtClock(t)}`),
		h('td', null, badge('incident', 'type b-incident')),
		h('td', null, sevBadge(o.severity)),
		h('td', null, h('a', {href: '#/incident/' + encodeURIComponent(id)}, `#${id} `), str(o.title) || ''));
}

function startLive(ctx, feed, incBody, incList) {
	const status = document.querySelector('[data-role="live-status"]');
	const setStatus = (text, cls) => {
		if (!status) return;
		status.hidden = false;
		status.className = 'live-status ' + cls;
		status.textContent = text;
	};
	if (typeof EventSource !== 'function') {
		setStatus('no live feed', 'off');
		return;
	}
	const es = new EventSource('/api/live');
	setStatus('connecting', '');
	es.addEventListener('open', () => setStatus('live', 'on'));
	es.addEventListener('error', () => setStatus(es.readyState === EventSource.CLOSED ? 'live feed closed' :
		'reconnecting', 'off'));
	const onRecord = (kind) => (msg) => {
		let data;
		try {
			data = JSON.parse(msg.data);
		} catch (e) {
			return;
		}
		feed.add(kind, data, true);
		if (kind === 'incident') updateIncidents(incBody, incList, data);
	};
	for (const kind of ['alert', 'intel', 'event', 'incident']) es.addEventListener(kind, onRecord(kind));
	ctx.onLeave(() => {
		es.close();
		if (status) status.hidden = true;
	});
}

// An incident change from the live feed: its row replaced, or a new one first.
function updateIncidents(incBody, list, inc) {
	const id = obj(inc).id;
	if (!isNum(id) && typeof id !== 'string') return;
	const i = list.findIndex((x) => obj(x).id === id);
	if (i >= 0) list.splice(i, 1);
	list.unshift(inc);
	list.length = Math.min(list.length, INCIDENTS_SHOWN);
	clear(incBody).appendChild(incidentTable(list));
}

// Every UTC day from `from` to `to` (366 at most), for an axis without gaps.
function dayAxis(sum, days) {
	const from = parseTime(str(sum.from));
	const to = parseTime(str(sum.to));
	const seen = days.map((d) => str(obj(d).date)).filter(Boolean);
	if (Number.isNaN(from) || Number.isNaN(to) || to < from || (to - from) / 86400000 > 366) return seen;
	const out = [];
	for (let t = from; t <= to; t += 86400000) out.push(fmtDay(t));
	for (const d of seen) if (!out.includes(d)) out.push(d);
	return out.sort();
}

function perDayConfig(sum, cats) {
	const days = arr(sum.days);
	const labels = dayAxis(sum, days);
	const byDate = new Map(days.map((d) => [str(obj(d).date), obj(obj(d).by_category)]));
	const names = cats.map(([n]) => n);
	for (const d of byDate.values()) for (const k of Object.keys(d)) if (!names.includes(k)) names.push(k);
	const datasets = names.map((name) => ({
		label: name,
		data: labels.map((l) => num((byDate.get(l) || {})[name]) || 0),
		backgroundColor: colourOf(name),
		borderWidth: 0,
		stack: 'attacks',
		maxBarThickness: 34,
	}));
	return {
		type: 'bar',
		data: {labels, datasets},
		options: {
			interaction: {mode: 'index', intersect: false},
			plugins: {
				legend: {position: 'bottom'},
				tooltip: {
					filter: (item) => item.raw > 0,
					callbacks: {
						label: (item) => ` ${item.dataset.label}: ${fmtInt(item.raw)}`,
						footer: (items) => `total ${fmtInt(items.reduce((s, i) => s + i.raw, 0))}`,
					},
				},
			},
			scales: {
				x: {stacked: true, grid: {display: false}, ticks: {maxRotation: 0, autoSkipPadding: 12,
					callback(v) {
						const l = this.getLabelForValue(v);
						return typeof l === 'string' ? l.slice(5) : l;
					}}},
				y: {stacked: true, beginAtZero: true, ticks: {precision: 0, callback: (v) => fmtInt(v)}},
			},
		},
	};
}

function splitConfig(cats) {
	return {
		type: 'doughnut',
		data: {
			labels: cats.map(([n]) => n),
			datasets: [{data: cats.map(([, v]) => v), backgroundColor: cats.map(([n]) => colourOf(n)),
				borderColor: '#161b22', borderWidth: 2}],
		},
		options: {
			cutout: '62%',
			plugins: {
				legend: {display: false},
				tooltip: {callbacks: {label: (item) => ` ${item.label}: ${fmtInt(item.raw)}`}},
			},
		},
	};
}
