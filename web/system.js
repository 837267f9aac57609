// mamori dashboard: the darknet (#/darknet, GET /api/darknet), zone
// compliance (#/zones, GET /api/zones), sensor health (#/health,
// GET /api/stats) and the intel upload (#/intel, POST /api/intel).

import {
	h, num, str, arr, obj, isNum, figure, card, panel, table, td, tdNum, badge, errorBox, hostLink,
	fmtInt, fmtBytes, fmtTime, fmtDay, parseTime, chartBox, noChart, navigate, api, session,
	cleanBlock, timeScale, loadSession, needLogin, AuthError, CHART_OK,
} from './lib.js';

const DAY_CHOICES = [7, 30, 90, 180, 365];

function daysParam(params) {
	const d = Number(params.get('days'));
	return Number.isInteger(d) && d >= 1 && d <= 366 ? d : 30;
}

function daysSelect(days, base) {
	const sel = h('select', {'aria-label': 'window', 'data-role': 'days'},
		DAY_CHOICES.concat(DAY_CHOICES.includes(days) ? [] : [days]).sort((a, b) => a - b)
			.map((d) => h('option', {value: d, selected: d === days}, `${d} days`)));
	sel.addEventListener('change', () => navigate(`${base}?days=${sel.value}`));
	return sel;
}

// ---- darknet ----

export async function renderDarknet(ctx) {
	const days = daysParam(ctx.params);
	const d = obj(await ctx.api(`/api/darknet?days=${days}`));
	const root = ctx.root;
	const t = obj(d.totals);
	const list = arr(d.days);
	root.appendChild(h('div', {class: 'page-head'}, h('h1', null, 'Darknet'),
		h('span', {class: 'meta'}, 'packets to addresses nobody uses: scans and backscatter'),
		h('span', {class: 'spacer'}), daysSelect(days, '#/darknet')));
	const busiest = list.reduce((m, x) => (num(obj(x).packets) > num(obj(m).packets) ? x : m), null);
	root.appendChild(h('div', {class: 'cards'},
		card('Packets', figure('darknet-total-packets', t.packets), `${str(d.from) || '?'} – ${str(d.to) || '?'}`, 'warn'),
		card('Sources', figure('darknet-total-sources', t.sources), 'distinct senders'),
		card('Days with traffic', figure('darknet-days', list.filter((x) => num(obj(x).packets)).length),
			`of ${days}`),
		card('Busiest day', busiest ? fmtInt(obj(busiest).packets) : '—', busiest ? str(obj(busiest).date) : null)));

	const box = chartBox();
	root.appendChild(panel('Packets per day', h('span', {class: 'muted small'}, 'UTC days'),
		CHART_OK ? box.box : noChart()));

	const srcRows = arr(d.top_sources).map((x) => {
		const o = obj(x);
		return h('tr', {'data-row': 'darknet-source', 'data-ip': str(o.ip) || '', 'data-packets': str(o.packets) || ''},
			h('td', {class: 'ip'}, hostLink(o.ip)), tdNum(o.packets), tdNum(o.ports),
			td(str(o.class) ? badge(o.class, 'type') : ''));
	});
	const portRows = arr(d.top_ports).map((x) => {
		const o = obj(x);
		return h('tr', {'data-row': 'darknet-port', 'data-proto': str(o.proto) || '', 'data-port': str(o.port) || ''},
			h('td', {class: 'mono'}, (str(o.proto) || '?').toUpperCase()), tdNum(o.port), tdNum(o.packets),
			tdNum(o.sources));
	});
	root.appendChild(h('div', {class: 'row two'},
		panel('Top sources', null, table([['source'], ['packets', 'num'], ['ports', 'num'], ['class']], srcRows,
			'no darknet sources', 'compact')),
		panel('Top ports', null, table([['proto'], ['port', 'num'], ['packets', 'num'], ['sources', 'num']],
			portRows, 'no darknet ports', 'compact'))));

	if (CHART_OK) ctx.chart(box.canvas, darknetConfig(d, list));
}

function darknetConfig(d, list) {
	const from = parseTime(str(d.from));
	const to = parseTime(str(d.to));
	const byDate = new Map(list.map((x) => [str(obj(x).date), obj(x)]));
	let labels = [...byDate.keys()].filter(Boolean).sort();
	if (!Number.isNaN(from) && !Number.isNaN(to) && to >= from && (to - from) / 86400000 <= 366) {
		labels = [];
		for (let t = from; t <= to; t += 86400000) labels.push(fmtDay(t));
	}
	const get = (l, k) => num(obj(byDate.get(l))[k]) || 0;
	return {
		type: 'bar',
		data: {
			labels,
			datasets: [
				{label: 'packets', data: labels.map((l) => get(l, 'packets')), backgroundColor: '#6e7681',
					hoverBackgroundColor: '#8b949e', yAxisID: 'y', maxBarThickness: 34, order: 2},
				{type: 'line', label: 'sources', data: labels.map((l) => get(l, 'sources')), borderColor: '#d29922',
					backgroundColor: '#d29922', yAxisID: 'y1', pointRadius: 2, borderWidth: 2, tension: 0.2, order: 1},
			],
		},
		options: {
			interaction: {mode: 'index', intersect: false},
			plugins: {legend: {position: 'bottom'},
				tooltip: {callbacks: {label: (i) => ` ${i.dataset.label}: ${fmtInt(i.raw)}`}}},
			scales: {
				x: {grid: {display: false}, ticks: {maxRotation: 0, autoSkipPadding: 12,
					callback(v) {
						const l = this.getLabelForValue(v);
						return typeof l === 'string' ? l.slice(5) : l;
					}}},
				y: {beginAtZero: true, title: {display: true, text: 'packets'}, ticks: {callback: (v) => fmtInt(v)}},
				y1: {beginAtZero: true, position: 'right', grid: {drawOnChartArea: false},
					title: {display: true, text: 'sources'}, ticks: {precision: 0}},
			},
		},
	};
}

// ---- zones ----

export async function renderZones(ctx) {
	const since = ctx.params.get('since') || '';
	const until = ctx.params.get('until') || '';
	const q = new URLSearchParams();
	if (since) q.set('since', since);
	if (until) q.set('until', until);
	const d = obj(await ctx.api('/api/zones' + (q.toString() ? '?' + q : '')));
	const root = ctx.root;
	const zones = arr(d.zones);
	const compliant = d.compliant === true;

	const sinceIn = h('input', {type: 'text', value: since, placeholder: 'since (date, 7d, …)', 'aria-label': 'since'});
	const untilIn = h('input', {type: 'text', value: until, placeholder: 'until', 'aria-label': 'until'});
	const form = h('form', {class: 'actions'}, sinceIn, untilIn, h('button', {type: 'submit'}, 'Check'));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const p = new URLSearchParams();
		if (sinceIn.value.trim()) p.set('since', sinceIn.value.trim());
		if (untilIn.value.trim()) p.set('until', untilIn.value.trim());
		navigate('#/zones' + (p.toString() ? '?' + p : ''));
	});
	root.appendChild(h('div', {class: 'page-head'}, h('h1', null, 'Zones'),
		figure('zones-compliant', compliant ? 'true' : 'false',
			badge(compliant ? 'compliant' : 'violations', compliant ? 'ok' : 'bad')),
		h('span', {class: 'meta'}, str(d.from) ? `${d.from} – ${str(d.to) || '?'}` : ''),
		h('span', {class: 'spacer'}), form));

	if (!zones.length) {
		root.appendChild(h('div', {class: 'notice'}, 'No zone is configured (zones: in the configuration).'));
		return;
	}
	const totalViol = zones.reduce((s, z) => s + (num(obj(z).violations) || 0), 0);
	root.appendChild(h('div', {class: 'cards'},
		card('Zones', figure('zones-count', zones.length)),
		card('Compliant', figure('zones-compliant-count', zones.filter((z) => obj(z).compliant === true).length),
			null, 'ok'),
		card('Violations', figure('zones-violations', totalViol), null, totalViol ? 'hot' : 'ok')));
	root.appendChild(h('div', {class: 'zone-grid'}, zones.map(zoneCard)));
}

function zoneCard(z) {
	const o = obj(z);
	const name = str(o.zone) || '?';
	const ok = o.compliant === true;
	const events = arr(o.events);
	const rows = events.map((x) => {
		const e = obj(x);
		const t = str(e.time) || str(e.timestamp);
		const port = (p) => (isNum(p) ? h('span', {class: 'muted'}, ':' + p) : null);
		return h('tr', {'data-row': 'violation'},
			h('td', {class: 'time'}, fmtTime(t)),
			h('td', {class: 'ip'}, hostLink(e.src_ip), port(e.src_port)),
			h('td', {class: 'ip'}, hostLink(e.dest_ip), port(e.dest_port),
				str(e.proto) ? h('span', {class: 'muted'}, ' ' + e.proto) : null),
			h('td', null, str(e.rule) || '', h('div', {class: 'muted small'},
				[str(e.direction), str(e.peer_zone) ? 'peer ' + e.peer_zone : null].filter(Boolean).join(' · '))));
	});
	const body = [
		h('dl', {class: 'policy'},
			h('dt', null, 'networks'), h('dd', null, str(o.networks) || '—'),
			h('dt', null, 'internet'), h('dd', null, str(o.internet) || '—'),
			h('dt', null, 'allow'), h('dd', null, str(o.allow) || '—')),
		h('div', {class: 'kv'},
			h('span', null, 'flows ', figure(`zone-${name}-flows`, num(o.flows), fmtInt(o.flows), 'b')),
			h('span', null, 'packets ', figure(`zone-${name}-packets`, num(o.packets), fmtInt(o.packets), 'b')),
			h('span', null, 'bytes ', figure(`zone-${name}-bytes`, num(o.bytes), fmtBytes(o.bytes), 'b')),
			h('span', null, 'violations ', figure(`zone-${name}-violations`, num(o.violations), fmtInt(o.violations),
				'b'))),
	];
	if (!ok || events.length) {
		body.push(h('h3', null, 'Violations'));
		body.push(table([['time (UTC)'], ['source'], ['destination'], ['rule']], rows,
			'violations counted, none listed', 'compact'));
	}
	return h('section', {class: 'panel', 'data-row': 'zone', 'data-zone': name},
		h('div', {class: 'panel-head'}, h('h2', {class: 'mono'}, name),
			figure(`zone-${name}-compliant`, ok ? 'true' : 'false', badge(ok ? 'compliant' : 'violations', ok ? 'ok' : 'bad'))),
		h('div', {class: 'panel-body'}, body));
}

// ---- health ----

export async function renderHealth(ctx) {
	const d = obj(await ctx.api('/api/stats'));
	const root = ctx.root;
	const hl = obj(d.health);
	const status = str(hl.status) || 'unknown';
	root.appendChild(h('div', {class: 'page-head'}, h('h1', null, 'Health'),
		figure('health-status', status, badge(status, status === 'ok' ? 'ok' : 'bad')),
		h('span', {class: 'meta'}, str(d.ts) ? `stats of ${fmtTime(d.ts)} UTC` : 'no stats in the store')));
	root.appendChild(h('div', {class: 'cards'},
		card('Drops', figure('health-drops', hl.drops), 'packets lost before analysis', num(hl.drops) ? 'hot' : 'ok'),
		card('Memory caps', figure('health-memcap', hl.memcap), 'reached: state not kept', num(hl.memcap) ? 'hot' : 'ok'),
		card('Other caps', figure('health-caps', hl.caps), 'limits reached', num(hl.caps) ? 'warn' : 'ok')));

	const checks = arr(hl.checks).map((x) => {
		const o = obj(x);
		const v = num(o.value);
		return h('tr', {'data-row': 'check', 'data-counter': str(o.counter) || '', 'data-value': v === null ? '' : String(v)},
			h('td', {class: 'mono nowrap'}, str(o.counter) || '?'), td(str(o.group) ? badge(o.group, 'type') : ''),
			h('td', {class: 'num'}, v ? h('b', null, fmtInt(v)) : fmtInt(o.value)), td(str(o.what) || ''));
	});
	const box = chartBox();
	const hist = arr(d.history);
	root.appendChild(h('div', {class: 'row wide-left'},
		panel('Packets and drops', h('span', {class: 'muted small'}, `${fmtInt(hist.length)} stats rows · UTC`),
			hist.length ? (CHART_OK ? box.box : noChart()) : h('div', {class: 'muted'}, 'no history')),
		panel('Checks', null, table([['counter'], ['group'], ['value', 'num'], ['what']], checks, 'no checks',
			'compact'))));

	const serve = Object.entries(obj(d.serve));
	const filter = h('input', {type: 'search', placeholder: 'filter counters', 'aria-label': 'filter counters'});
	const counters = Object.entries(obj(d.counters)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
	const cRows = counters.map(([k, v]) => h('tr', {'data-row': 'counter', 'data-counter': k}, h('td', {class: 'mono'}, k),
		tdNum(v)));
	filter.addEventListener('input', () => {
		const q = filter.value.trim().toLowerCase();
		counters.forEach(([k], i) => {
			cRows[i].hidden = Boolean(q) && !k.toLowerCase().includes(q);
		});
	});
	root.appendChild(h('div', {class: 'row wide-right'},
		panel('Server', null, table([['counter'], ['value', 'num']], serve.map(([k, v]) =>
			h('tr', {'data-row': 'serve'}, h('td', {class: 'mono'}, k),
				h('td', {class: 'num'}, figure('serve-' + k, isNum(v) ? v : str(v), fmtInt(v))))), 'no server counters',
		'compact')),
		panel('Sensor counters', filter, h('div', {class: 'scroll'}, table([['counter'], ['value', 'num']], cRows,
			'no counters', 'compact')))));

	if (hist.length && CHART_OK) ctx.chart(box.canvas, healthConfig(hist));
}

function healthConfig(hist) {
	const pts = hist.map((x) => obj(x)).map((o) => ({t: parseTime(o.ts), o})).filter((p) => !Number.isNaN(p.t))
		.sort((a, b) => a.t - b.t);
	const series = (k) => pts.map((p) => ({x: p.t, y: num(p.o[k])}));
	const min = pts.length ? pts[0].t : 0;
	const max = pts.length ? pts[pts.length - 1].t : 1;
	return {
		type: 'line',
		data: {datasets: [
			{label: 'packets', data: series('packets'), borderColor: '#2f81f7', backgroundColor: 'rgba(47,129,247,0.12)',
				fill: true, yAxisID: 'y', pointRadius: 0, borderWidth: 2},
			{label: 'drops', data: series('drops'), borderColor: '#f85149', backgroundColor: '#f85149', yAxisID: 'y1',
				pointRadius: 0, borderWidth: 2},
			{label: 'memcap', data: series('memcap'), borderColor: '#d29922', backgroundColor: '#d29922', yAxisID: 'y1',
				pointRadius: 0, borderWidth: 1.5, borderDash: [4, 3]},
		]},
		options: {
			parsing: false,
			interaction: {mode: 'nearest', axis: 'x', intersect: false},
			plugins: {legend: {position: 'bottom'}, tooltip: {callbacks: {
				title: (items) => (items.length ? fmtTime(new Date(items[0].raw.x).toISOString()) + ' UTC' : ''),
				label: (i) => ` ${i.dataset.label}: ${fmtInt(i.raw.y)}`,
			}}},
			scales: {
				x: timeScale(min, max),
				y: {beginAtZero: true, title: {display: true, text: 'packets'}, ticks: {callback: (v) => fmtInt(v)}},
				y1: {beginAtZero: true, position: 'right', grid: {drawOnChartArea: false},
					title: {display: true, text: 'drops, memcap'}, ticks: {precision: 0, callback: (v) => fmtInt(v)}},
			},
		},
	};
}

// ---- intel upload ----

const FORMATS = [['', 'recognise by content'], ['stix', 'STIX 2.1 bundle'], ['misp', 'MISP event / feed'],
	['misp-all', 'MISP, all attributes'], ['csv', 'CSV'], ['list', 'list (one indicator a line)'],
	['dataset', 'Suricata dataset'], ['iprep', 'Suricata IP reputation']];

// The name the server keeps the feed as: letters, digits and .-_ only.
function safeName(name) {
	const s = String(name || '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100);
	return s || 'feed';
}

export async function renderIntel(ctx) {
	const root = ctx.root;
	const file = h('input', {type: 'file', name: 'feed', required: true, 'aria-label': 'feed file'});
	const format = h('select', {name: 'format', 'aria-label': 'format'},
		FORMATS.map(([v, label]) => h('option', {value: v}, label)));
	const name = h('input', {type: 'text', name: 'name', placeholder: 'kept as (from the file name)',
		spellcheck: 'false', autocomplete: 'off'});
	const submit = h('button', {type: 'submit', class: 'primary', 'data-action': 'upload'}, 'Import and hunt');
	const out = h('div', {'data-role': 'result'});
	const form = h('form', {class: 'form-grid', 'data-role': 'intel'},
		h('label', {class: 'field'}, h('span', null, 'feed file'), file),
		h('label', {class: 'field'}, h('span', null, 'format'), format),
		h('label', {class: 'field'}, h('span', null, 'name'), name),
		h('div', {class: 'form-actions'}, submit,
			h('span', {class: 'muted small'}, 'kept in the intel folder, loaded by the sensor, and hunted over the ' +
				'store\'s last 180 days')));
	file.addEventListener('change', () => {
		if (file.files && file.files[0] && !name.value) name.placeholder = safeName(file.files[0].name);
	});
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const f = file.files && file.files[0];
		if (!f) return;
		out.replaceChildren(h('div', {class: 'loading'}, `uploading ${fmtBytes(f.size)}…`));
		submit.disabled = true;
		const q = new URLSearchParams();
		if (format.value) q.set('format', format.value);
		q.set('name', safeName(name.value.trim() || f.name));
		try {
			if (!session.csrf) await loadSession();
			const res = await api('/api/intel?' + q, {method: 'POST', body: f, type: 'application/octet-stream'});
			out.replaceChildren(intelResult(obj(res)));
		} catch (e) {
			if (e instanceof AuthError) {
				needLogin();
				return;
			} else {
				out.replaceChildren(errorBox(e.message || String(e)));
			}
		} finally {
			submit.disabled = false;
		}
	});
	root.appendChild(h('div', {class: 'page-head'}, h('h1', null, 'Intel'),
		h('span', {class: 'meta'}, 'import a threat-intel feed and retro-hunt the store with it')));
	root.appendChild(panel('Upload a feed', null, form));
	root.appendChild(out);
}

function intelResult(r) {
	const keys = [['loaded', 'indicators loaded'], ['duplicates', 'duplicates'], ['skipped', 'skipped'],
		['sightings', 'sightings'], ['records', 'records written'], ['incidents', 'incidents changed']];
	const pre = h('pre', {class: 'result'});
	pre.textContent = cleanBlock(JSON.stringify(r, null, 2));
	return panel('Result', h('span', {class: 'muted small'}, [str(r.file) ? `kept as ${r.file}` : '',
		str(r.format) ? ` · format ${r.format}` : ''].join('')),
	h('div', {class: 'cards'}, keys.map(([k, label]) => card(label, figure('intel-' + k, num(r[k]), fmtInt(r[k])), null,
		k === 'sightings' && num(r[k]) ? 'hot' : ''))),
	h('h3', null, 'answer'), pre);
}
