// mamori dashboard: the incident list (#/incidents, GET /api/incidents) and
// one incident (#/incident/ID, GET /api/incidents/ID: the document of
// docs/incidents.md): header and score, reasons, key figures, the ATT&CK
// chain, a timeline chart and table, the damage assessment with its
// confidence and what could not be seen, hosts and infrastructure; links to
// the HTML report and the STIX bundle. The document is not trusted: a member
// that is absent or of another type shows as unknown.

import {
	h, num, str, arr, obj, isNum, figure, card, panel, table, td, tdNum, badge, sevBadge, hostLink,
	errorBox, fmtInt, fmtBytes, fmtBytesExact, fmtTime, fmtDuration, parseTime, chartBox,
	noChart, navigate, timeScale, SEV_COLOURS, CHART_OK,
} from './lib.js';

// ---- the list ----

export async function renderList(ctx) {
	const all = ctx.params.get('all') === '1';
	const data = obj(await ctx.api('/api/incidents' + (all ? '?all=1' : '')));
	const list = arr(data.incidents);
	const root = ctx.root;

	const merged = h('input', {type: 'checkbox', checked: all, 'data-role': 'all'});
	merged.addEventListener('change', () => navigate(merged.checked ? '#/incidents?all=1' : '#/incidents'));
	const sev = h('select', {'aria-label': 'severity'}, ['any severity', 'critical', 'high', 'medium', 'low']
		.map((s, i) => h('option', {value: i ? s : ''}, s)));
	const status = h('select', {'aria-label': 'status'}, ['any status', 'open', 'closed']
		.map((s, i) => h('option', {value: i ? s : ''}, s)));
	const text = h('input', {type: 'search', placeholder: 'filter: title, host count…', 'aria-label': 'filter'});

	const open = list.filter((x) => str(obj(x).status) === 'open').length;
	root.appendChild(h('div', {class: 'page-head'}, h('h1', null, 'Incidents'),
		h('span', {class: 'meta'}, `${fmtInt(list.length)} incidents, ${fmtInt(open)} open`),
		h('span', {class: 'spacer'}), text, sev, status,
		h('label', {class: 'nowrap'}, merged, ' merged ones too')));

	const rows = list.map(listRow);
	const t = table([['#', 'num'], ['severity'], ['score', 'num'], ['status'], ['title'], ['hosts', 'num'],
		['infra', 'num'], ['signals', 'num'], ['bytes out', 'num'], ['first seen (UTC)'], ['last seen (UTC)'],
		['dwell', 'num'], ['merged into']], rows, 'no incidents');
	root.appendChild(h('section', {class: 'panel'}, h('div', {class: 'panel-body flush'}, t)));

	const filter = () => {
		const q = text.value.trim().toLowerCase();
		list.forEach((x, i) => {
			const o = obj(x);
			const hide = (sev.value && str(o.severity) !== sev.value) ||
				(status.value && str(o.status) !== status.value) ||
				(q && !rows[i].textContent.toLowerCase().includes(q));
			rows[i].hidden = Boolean(hide);
		});
	};
	for (const e of [sev, status]) e.addEventListener('change', filter);
	text.addEventListener('input', filter);
}

function listRow(x) {
	const o = obj(x);
	const id = str(o.id) || '';
	const href = '#/incident/' + encodeURIComponent(id);
	const into = str(o.merged_into);
	return h('tr', {'data-row': 'incident', 'data-id': id, 'data-status': str(o.status) || ''},
		h('td', {class: 'num mono'}, h('a', {href}, '#' + id)),
		h('td', null, sevBadge(o.severity)),
		tdNum(o.score),
		h('td', null, badge(str(o.status) || '?', str(o.status) === 'open' ? 'open' : 'closed')),
		h('td', {class: 'wide'}, h('a', {href}, str(o.title) || '(no title)')),
		tdNum(o.hosts),
		tdNum(o.infrastructure),
		tdNum(o.signals),
		h('td', {class: 'num', title: isNum(o.bytes_out) ? fmtInt(o.bytes_out) + ' bytes' : null}, fmtBytes(o.bytes_out)),
		h('td', {class: 'time'}, fmtTime(o.first_seen)),
		h('td', {class: 'time'}, fmtTime(o.last_seen)),
		h('td', {class: 'num'}, fmtDuration(o.dwell_seconds)),
		td(into ? h('a', {href: '#/incident/' + encodeURIComponent(into)}, '#' + into) : ''));
}

// ---- one incident ----

export async function render(ctx) {
	const id = ctx.arg || '';
	const doc = obj(await ctx.api('/api/incidents/' + encodeURIComponent(id)));
	const root = ctx.root;
	const dmg = obj(doc.damage);
	const hosts = arr(doc.hosts);
	const infra = arr(doc.infrastructure);

	root.appendChild(header(doc, id));
	root.appendChild(keyFigures(doc, dmg, hosts, infra));
	root.appendChild(h('div', {class: 'row wide-right'},
		panel('Why this score', null, lines(arr(doc.reasons), 'no reasons given')),
		panel('ATT&CK tactics, in kill-chain order', null, chain(arr(doc.tactics)))));

	const tl = arr(doc.timeline);
	const box = chartBox();
	root.appendChild(panel('Timeline', h('span', {class: 'muted small'}, `${fmtInt(tl.length)} entries · UTC`),
		tl.length ? (CHART_OK ? box.box : noChart()) : null,
		h('div', {class: 'scroll'}, timelineTable(tl))));

	root.appendChild(panel('Damage assessment', null, damage(dmg)));
	root.appendChild(h('div', {class: 'row'},
		panel('Affected hosts', null, hostsTable(hosts)),
		panel('Attacker infrastructure', null, infraTable(infra))));
	const sig = obj(doc.signals);
	root.appendChild(panel('Signals', null, h('div', {class: 'kv'},
		['alerts', 'intel', 'events', 'retro'].map((k) => h('span', null, k + ' ',
			figure('incident-signals-' + k, num(sig[k]), fmtInt(sig[k]), 'b')))),
		h('p', {class: 'muted small'}, 'alerts, intel sightings (retro: found by a retro-hunt) and behaviour ' +
			'records that joined this incident')));

	if (tl.length && CHART_OK) {
		const cfg = timelineConfig(doc, tl);
		box.box.style.height = `${Math.max(160, 70 + 30 * cfg.lanes)}px`;
		ctx.chart(box.canvas, cfg.config);
	}
}

function header(doc, id) {
	const sev = str(doc.severity) || 'unknown';
	const docId = str(doc.id) || id;
	const base = '/api/incidents/' + encodeURIComponent(docId);
	const stix = h('a', {class: 'button', 'data-action': 'stix', href: base + '/stix', download: ''},
		'STIX bundle');
	const tlp = h('select', {'aria-label': 'TLP of the bundle', title: 'TLP marking of the STIX bundle'},
		['', 'clear', 'green', 'amber', 'amber+strict', 'red'].map((t) =>
			h('option', {value: t}, t ? 'TLP:' + t.toUpperCase() : 'TLP: server default')));
	tlp.addEventListener('change', () => {
		stix.setAttribute('href', base + '/stix' + (tlp.value ? '?tlp=' + encodeURIComponent(tlp.value) : ''));
	});
	// A download that the server refuses (no pseudonym key for sharing, say)
	// ends silently in the browser: the same request, made alongside, says why.
	const why = h('div', {class: 'inc-why'});
	const check = (a) => a.addEventListener('click', async () => {
		why.replaceChildren();
		const ctrl = new AbortController();
		try {
			const res = await fetch(a.getAttribute('href'), {credentials: 'same-origin', signal: ctrl.signal});
			if (res.ok) {
				ctrl.abort();
				return;
			}
			let msg = res.statusText;
			try {
				msg = str(obj(await res.json()).error) || msg;
			} catch (e) {
				// not JSON: the status says it
			}
			why.replaceChildren(errorBox(`${a.textContent}: ${res.status}: ${msg}`));
		} catch (e) {
			// aborted, or the server went away: the browser's download says so
		}
	});
	const md = h('a', {class: 'button', 'data-action': 'markdown', href: base + '/report?format=markdown',
		download: `mamori-incident-${docId}.md`}, 'Markdown');
	check(stix);
	check(md);
	const status = str(doc.status) || '?';
	return h('div', {class: 'inc-head sev-' + sev},
		h('div', {class: 'inc-title'},
			h('div', null,
				h('span', {class: 'inc-id'}, '#', figure('incident-id', doc.id, str(doc.id) || '?')),
				figure('incident-severity', str(doc.severity), sevBadge(doc.severity)), ' ',
				figure('incident-status', status, badge(status, status === 'open' ? 'open' : 'closed'))),
			h('h1', null, figure('incident-title', str(doc.title) || '', str(doc.title) || '(no title)')),
			h('div', {class: 'kv'},
				h('span', null, 'first seen ', figure('incident-first-seen', str(doc.first_seen),
					fmtTime(doc.first_seen), 'b')),
				h('span', null, 'last seen ', figure('incident-last-seen', str(doc.last_seen),
					fmtTime(doc.last_seen), 'b')),
				h('span', null, 'dwell ', figure('incident-dwell-seconds', num(doc.dwell_seconds),
					fmtDuration(doc.dwell_seconds), 'b')),
				str(doc.updated) ? h('span', null, 'updated ', h('b', null, fmtTime(doc.updated))) : null)),
		h('div', {class: 'score'}, h('div', {class: 'card-label'}, 'score'),
			h('div', {class: 'card-value'}, figure('incident-score', num(doc.score), fmtInt(doc.score))),
			h('div', {class: 'card-sub'}, 'of 100')),
		h('div', {class: 'actions'},
			h('a', {class: 'button primary', 'data-action': 'report', href: base + '/report?format=html',
				target: '_blank', rel: 'noopener noreferrer'}, 'HTML report'),
			md, stix, tlp, why));
}

function filesOf(d) {
	return arr(obj(d).files);
}

function keyFigures(doc, dmg, hosts, infra) {
	const out = obj(dmg.bytes_out);
	const inn = obj(dmg.bytes_in);
	const pd = obj(dmg.personal_data);
	return h('div', {class: 'cards'},
		card('Hosts affected', figure('incident-hosts', hosts.length), null, 'warn'),
		card('Infrastructure', figure('incident-infrastructure', infra.length), 'addresses and domains', 'warn'),
		card('Bytes out', figure('incident-bytes-out', num(out.total), fmtBytes(out.total)),
			isNum(out.total) ? fmtInt(out.total) + ' bytes' : 'not known', num(out.total) ? 'hot' : ''),
		card('Bytes in', figure('incident-bytes-in', num(inn.total), fmtBytes(inn.total)),
			isNum(inn.total) ? fmtInt(inn.total) + ' bytes' : 'not known'),
		card('Personal data records', figure('incident-pii-records', num(pd.records), fmtInt(pd.records)),
			isNum(pd.identifiers) ? `${fmtInt(pd.identifiers)} identifiers` : null, num(pd.records) ? 'hot' : ''),
		card('Files out', figure('incident-files-out', filesOf(dmg.files_out).length), 'sent to the infrastructure'),
		card('Tools in', figure('incident-tools-in', filesOf(dmg.tools_in).length), 'brought in'),
		card('Staged', figure('incident-staged', filesOf(dmg.staged).length), 'moved between hosts'));
}

function lines(list, empty, cls = '') {
	const items = list.map((x) => str(x)).filter((x) => x !== null);
	if (!items.length) return h('div', {class: 'muted'}, empty);
	return h('ul', {class: 'lines ' + cls}, items.map((x) => h('li', null, x)));
}

function chain(tactics) {
	if (!tactics.length) return h('div', {class: 'muted'}, 'no tactics');
	const out = [];
	tactics.forEach((t, i) => {
		const o = obj(t);
		if (i) out.push(h('span', {class: 'chain-arrow'}, '→'));
		out.push(h('div', {class: 'tactic', 'data-row': 'tactic', 'data-id': str(o.id) || ''},
			h('div', {class: 'tid'}, str(o.id) || ''),
			h('div', {class: 'tname'}, str(o.name) || str(o.id) || '?'),
			h('div', {class: 'muted small'}, fmtTime(o.first_seen), str(o.last_seen) && o.last_seen !== o.first_seen ?
				` → ${fmtTime(o.last_seen)}` : ''),
			h('ul', null, arr(o.techniques).map((x) => {
				const q = obj(x);
				return h('li', null, h('span', {title: str(q.id) || null}, str(q.name) || str(q.id) || '?'),
					h('span', {class: 'num'}, isNum(q.count) ? '×' + fmtInt(q.count) : ''));
			}))));
	});
	return h('div', {class: 'chain'}, out);
}

const SEV_NAMES = {1: 'high', 2: 'medium', 3: 'low'};

function sevDot(sev) {
	const d = h('span', {class: 'sev-dot'});
	d.style.background = SEV_COLOURS[sev] || '#6e7681';
	return d;
}

function timelineTable(tl) {
	const rows = tl.map((x) => {
		const o = obj(x);
		const sev = num(o.severity);
		const tech = [str(o.technique_id), str(o.technique)].filter(Boolean).join(' ');
		return h('tr', {'data-row': 'timeline', 'data-kind': str(o.kind) || ''},
			h('td', {class: 'time'}, fmtTime(o.ts), str(o.last_ts) && fmtTime(o.last_ts) !== fmtTime(o.ts) ?
				h('div', {class: 'small'}, '→ ' + fmtTime(o.last_ts)) : null),
			h('td', null, badge(str(o.kind) || '?', 'type')),
			h('td', null, str(o.tactic) || '', tech ? h('div', {class: 'muted small'}, tech) : null),
			h('td', {class: 'ip'}, hostLink(o.host)),
			h('td', {class: 'ip'}, str(o.peer) ? hostLink(o.peer) : ''),
			h('td', {class: 'wide'}, str(o.summary) || ''),
			h('td', {class: 'nowrap'}, sevDot(sev), sev !== null ? (SEV_NAMES[sev] || String(sev)) : '—'),
			tdNum(o.count));
	});
	return table([['time (UTC)'], ['kind'], ['tactic / technique'], ['host'], ['peer'], ['summary'],
		['severity'], ['count', 'num']], rows, 'no timeline entries', 'compact');
}

function epochOf(o, key) {
	const e = num(o[key + '_epoch']);
	return e !== null ? e * 1000 : parseTime(o[key]);
}

// The timeline as a chart: one lane per tactic (kill-chain order, as the
// document lists them), entries without one in a lane of their own; a dot
// per entry, a bar from ts to last_ts for folded repeats; colour = severity.
function timelineConfig(doc, tl) {
	const lanes = [];
	for (const t of arr(doc.tactics)) {
		const n = str(obj(t).name);
		if (n && !lanes.includes(n)) lanes.push(n);
	}
	const entries = [];
	for (const x of tl) {
		const o = obj(x);
		const t0 = epochOf(o, 'ts');
		if (Number.isNaN(t0)) continue;
		let t1 = epochOf(o, 'last_ts');
		if (Number.isNaN(t1) || t1 < t0) t1 = t0;
		const lane = str(o.tactic) || '(no tactic)';
		if (!lanes.includes(lane)) lanes.push(lane);
		entries.push({o, t0, t1, lane});
	}
	const sevs = [1, 2, 3, 0];
	const datasets = [];
	for (const s of sevs) {
		const mine = entries.filter((e) => (SEV_NAMES[num(e.o.severity)] ? num(e.o.severity) : 0) === s);
		if (!mine.length) continue;
		const colour = SEV_COLOURS[s] || '#8b949e';
		const label = s ? `severity ${s} (${SEV_NAMES[s]})` : 'severity unknown';
		const ranges = [];
		for (const e of mine) {
			if (e.t1 > e.t0) ranges.push({x: e.t0, y: lanes.indexOf(e.lane), e}, {x: e.t1, y: lanes.indexOf(e.lane), e},
				{x: e.t1, y: null});
		}
		if (ranges.length) {
			datasets.push({type: 'line', label, data: ranges, borderColor: colour + 'aa', borderWidth: 7,
				pointRadius: 0, pointHitRadius: 6, spanGaps: false, borderCapStyle: 'round', showLine: true,
				legendHidden: true});
		}
		datasets.push({type: 'scatter', label, data: mine.map((e) => ({x: e.t0, y: lanes.indexOf(e.lane), e})),
			backgroundColor: colour, borderColor: '#0d1117', borderWidth: 1, pointRadius: 5, pointHoverRadius: 7});
	}
	let min = Math.min(...entries.map((e) => e.t0));
	let max = Math.max(...entries.map((e) => e.t1));
	const pad = Math.max(60000, (max - min) * 0.03);
	min -= pad;
	max += pad;
	const config = {
		type: 'scatter',
		data: {datasets},
		options: {
			parsing: false,
			normalized: true,
			plugins: {
				legend: {position: 'bottom', labels: {filter: (item, data) =>
					!data.datasets[item.datasetIndex].legendHidden}},
				tooltip: {
					filter: (item) => item.raw && item.raw.e,
					callbacks: {
						title: (items) => {
							const e = items[0] && items[0].raw.e;
							if (!e) return '';
							return fmtTime(e.o.ts) + (e.t1 > e.t0 ? ' → ' + fmtTime(e.o.last_ts) : '') + ' UTC';
						},
						label: (item) => {
							const o = item.raw.e.o;
							const tech = [str(o.technique_id), str(o.technique)].filter(Boolean).join(' ');
							return [`${str(o.kind) || '?'}${isNum(o.count) && o.count > 1 ? ' ×' + fmtInt(o.count) : ''}` +
								`${tech ? ' · ' + tech : ''}`,
							`${str(o.host) || '?'}${str(o.peer) ? ' → ' + o.peer : ''}`,
							(str(o.summary) || '').slice(0, 160)];
						},
					},
				},
			},
			scales: {
				x: timeScale(min, max),
				y: {
					type: 'linear', min: -0.5, max: lanes.length - 0.5, reverse: true,
					afterBuildTicks: (axis) => {
						axis.ticks = lanes.map((_, i) => ({value: i}));
					},
					ticks: {autoSkip: false, callback: (v) => lanes[v] || ''},
				},
			},
		},
	};
	return {config, lanes: lanes.length};
}

function confidence(c) {
	const s = str(c);
	if (!s) return null;
	const known = ['high', 'medium', 'low'].includes(s);
	return h('span', {class: 'badge' + (known ? ' b-conf-' + s : ''), title: 'confidence of this figure'},
		(known ? s : s.slice(0, 24)) + ' confidence');
}

function unseen(d) {
	const list = arr(obj(d).unseen);
	if (!list.length) return null;
	return [h('div', {class: 'muted small'}, 'could not be seen:'), lines(list, '', 'unseen small')];
}

function channelTable(ch) {
	const rows = Object.entries(obj(ch)).map(([k, v]) => h('tr', null, td(k), h('td', {class: 'num'},
		fmtInt(v)), h('td', {class: 'num muted'}, fmtBytes(v))));
	return table([['channel'], ['bytes', 'num'], ['', 'num']], rows, 'no channels', 'compact');
}

function bytesBlock(title, d, name) {
	const o = obj(d);
	const byHost = arr(o.by_host);
	return h('div', {class: 'damage-block', 'data-block': name},
		h('h3', null, title, confidence(o.confidence)),
		h('div', {class: 'big'}, fmtBytesExact(o.total)),
		channelTable(o.channels),
		byHost.length ? table([['host'], ['total', 'num'], ['channels']], byHost.map((x) => {
			const q = obj(x);
			const ch = Object.entries(obj(q.channels)).filter(([, v]) => isNum(v) && v > 0)
				.map(([k, v]) => `${k} ${fmtBytes(v)}`).join(', ');
			return h('tr', {'data-row': 'by-host', 'data-host': str(q.host) || ''}, h('td', {class: 'ip'},
				hostLink(q.host)), tdNum(q.total), td(ch, 'muted'));
		}), '', 'compact') : null,
		unseen(o));
}

function filesBlock(title, d, name) {
	const o = obj(d);
	const files = arr(o.files);
	const rows = files.map((x) => {
		const f = obj(x);
		const sha = str(f.sha256) || str(f.sha1) || str(f.md5) || '';
		return h('tr', {'data-row': 'file', 'data-sha256': str(f.sha256) || ''},
			h('td', {class: 'mono'}, str(f.name) || '?'),
			h('td', {class: 'num', title: isNum(f.size) ? fmtInt(f.size) + ' bytes' : null}, fmtBytes(f.size)),
			h('td', {class: 'mono small', title: sha}, sha ? sha.slice(0, 16) + '…' : '—'),
			h('td', {class: 'ip'}, hostLink(f.host)),
			h('td', {class: 'ip'}, str(f.peer) ? hostLink(f.peer) : ''),
			h('td', {class: 'small wide'}, str(f.url) ? h('div', {class: 'mono'}, f.url) : null,
				str(f.magic) ? h('div', {class: 'muted'}, f.magic) : null),
			h('td', {class: 'time'}, fmtTime(f.ts), str(f.state) ? h('div', {class: 'small'}, f.state) : null));
	});
	return h('div', {class: 'damage-block full', 'data-block': name},
		h('h3', null, `${title} (${files.length})`, confidence(o.confidence)),
		files.length ? table([['name'], ['size', 'num'], ['sha-256'], ['host'], ['peer'], ['url, type'],
			['time (UTC)']], rows, '', 'compact') :
			h('div', {class: 'muted'}, 'none seen'),
		unseen(o));
}

function personalBlock(d) {
	const o = obj(d);
	const rows = Object.entries(obj(o.by_type)).map(([k, v]) => h('tr', {'data-row': 'pii-type', 'data-type': k},
		td(k), tdNum(v)));
	return h('div', {class: 'damage-block', 'data-block': 'personal-data'},
		h('h3', null, 'Personal data', confidence(o.confidence)),
		h('div', {class: 'big'}, isNum(o.records) ? `${fmtInt(o.records)} records` : 'not known'),
		h('div', {class: 'muted small'}, [isNum(o.identifiers) ? `${fmtInt(o.identifiers)} identifiers` : null,
			isNum(o.uploads) ? `${fmtInt(o.uploads)} uploads` : null].filter(Boolean).join(' · ')),
		rows.length ? table([['type'], ['distinct values', 'num']], rows, '', 'compact') : null,
		unseen(o));
}

function visibilityBlock(d) {
	const o = obj(d);
	const names = [['flows', 'flows'], ['encrypted_flows', 'encrypted flows'], ['encrypted_bytes', 'encrypted bytes'],
		['capture_drops', 'capture drops'], ['tcp_gaps', 'TCP gaps'], ['truncated_streams', 'truncated streams'],
		['lost_records', 'lost records']];
	const rows = names.filter(([k]) => o[k] !== undefined).map(([k, label]) => h('tr', {'data-row': 'visibility',
		'data-key': k}, td(label), tdNum(o[k])));
	return h('div', {class: 'damage-block', 'data-block': 'visibility'},
		h('h3', null, 'Visibility'),
		table([['what'], ['count', 'num']], rows, 'not known', 'compact'),
		lines(arr(o.notes), '', 'unseen small'));
}

function damage(dmg) {
	return h('div', {class: 'damage-grid'},
		bytesBlock('Bytes out', dmg.bytes_out, 'bytes-out'),
		bytesBlock('Bytes in', dmg.bytes_in, 'bytes-in'),
		personalBlock(dmg.personal_data),
		visibilityBlock(dmg.visibility),
		filesBlock('Files out', dmg.files_out, 'files-out'),
		filesBlock('Tools in', dmg.tools_in, 'tools-in'),
		filesBlock('Staged', dmg.staged, 'staged'));
}

function tags(list) {
	const items = arr(list).map(str).filter(Boolean);
	return items.length ? h('div', {class: 'tags'}, items.map((x) => badge(x))) : '';
}

function hostsTable(hosts) {
	const rows = hosts.map((x) => {
		const o = obj(x);
		return h('tr', {'data-row': 'host', 'data-ip': str(o.ip) || ''},
			h('td', {class: 'ip'}, hostLink(o.ip)),
			td(str(o.zone) || ''),
			td(tags(o.roles)),
			h('td', {class: 'time'}, fmtTime(o.first_seen)),
			h('td', {class: 'time'}, fmtTime(o.last_seen)));
	});
	return table([['address'], ['zone'], ['roles'], ['first seen (UTC)'], ['last seen (UTC)']], rows,
		'no hosts', 'compact');
}

function infraTable(infra) {
	const rows = infra.map((x) => {
		const o = obj(x);
		const names = arr(o.domains).concat(arr(o.addresses)).map(str).filter(Boolean);
		const who = [];
		for (const [k, label] of [['actors', 'actor'], ['campaigns', 'campaign'], ['intel_sources', 'source']]) {
			for (const v of arr(o[k])) if (str(v)) who.push(h('div', null, h('span', {class: 'muted'}, label + ' '), v));
		}
		const net = [];
		if (isNum(o.asn)) net.push(h('div', {class: 'mono'}, 'AS' + o.asn));
		if (str(o.as_org)) net.push(h('div', null, o.as_org));
		const place = [str(o.country), o.hosting === true ? 'hosting' : o.hosting === false ? 'not hosting' : null]
			.filter(Boolean).join(' · ');
		if (place) net.push(h('div', {class: 'muted'}, place));
		return h('tr', {'data-row': 'infra', 'data-value': str(o.value) || ''},
			h('td', {class: 'ip'}, hostLink(o.value), h('div', {class: 'muted small'}, str(o.type) || '')),
			h('td', {class: 'mono small'}, names.map((n) => h('div', null, n))),
			td(tags(o.roles)),
			td(net),
			td(who),
			tdNum(o.flows),
			h('td', {class: 'num', title: isNum(o.bytes_out) ? fmtInt(o.bytes_out) + ' bytes' : null}, fmtBytes(o.bytes_out)),
			h('td', {class: 'num', title: isNum(o.bytes_in) ? fmtInt(o.bytes_in) + ' bytes' : null}, fmtBytes(o.bytes_in)),
			h('td', {class: 'time'}, fmtTime(o.first_seen), h('div', null, fmtTime(o.last_seen))));
	});
	return table([['value'], ['domains / addresses'], ['roles'], ['network'], ['attribution'], ['flows', 'num'],
		['bytes out', 'num'], ['bytes in', 'num'], ['seen (UTC)']], rows, 'no infrastructure', 'compact');
}
