// mamori dashboard: the event search (#/events). The form's fields are the
// query of GET /api/events and live in the hash (#/events?host=...), so a
// search can be linked to; results are newest first, a row opens its raw
// EVE record, and "Older" pages on with `until` = the last record's time.

import {
	h, str, obj, panel, badge, errorBox, fmtInt, fmtTime, eventKind, eventSummary, endpoint,
	cleanBlock, navigate, needLogin, AuthError,
} from './lib.js';

const TYPES = ['alert', 'intel', 'event', 'flow', 'dns', 'http', 'tls', 'fileinfo'];
const DEFAULT_TYPES = ['alert', 'intel', 'event'];
const FIELDS = [
	['since', 'since', 'RFC 3339, date, 7d, 24h'],
	['until', 'until', 'RFC 3339, date, now'],
	['host', 'host', 'address or CIDR'],
	['domain', 'domain', 'name and below'],
	['signature', 'signature', 'sid or message text'],
	['q', 'text', 'text in the main fields'],
];

export async function render(ctx) {
	const p = ctx.params;
	const root = ctx.root;
	const form = searchForm(p);
	root.appendChild(h('div', {class: 'page-head'}, h('h1', null, 'Events'),
		h('span', {class: 'meta'}, 'alerts, intel sightings, behaviour events and protocol records of the store')));
	root.appendChild(panel('Search', null, form));

	const query = new URLSearchParams();
	for (const [k] of FIELDS) if (p.get(k)) query.set(k, p.get(k));
	query.set('type', typesOf(p).join(','));
	const limit = limitOf(p);
	query.set('limit', String(limit));

	const res = new Results(ctx, query);
	root.appendChild(res.el);
	await res.load();
}

function typesOf(p) {
	const t = (p.get('type') || '').split(',').filter((x) => TYPES.includes(x));
	return t.length ? t : DEFAULT_TYPES;
}

function limitOf(p) {
	const n = Number(p.get('limit'));
	return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : 100;
}

function searchForm(p) {
	const inputs = {};
	const fields = FIELDS.map(([name, label, hint]) => {
		inputs[name] = h('input', {type: 'text', name, value: p.get(name) || '', placeholder: hint,
			autocomplete: 'off', spellcheck: 'false'});
		return h('label', {class: 'field'}, h('span', null, label), inputs[name]);
	});
	const limit = h('input', {type: 'number', name: 'limit', min: 1, max: 1000, value: limitOf(p)});
	const types = typesOf(p);
	const boxes = TYPES.map((t) => {
		const cb = h('input', {type: 'checkbox', name: 'type', value: t, checked: types.includes(t)});
		return h('label', null, cb, t);
	});
	const form = h('form', {class: 'form-grid', 'data-role': 'search', autocomplete: 'off'},
		fields,
		h('label', {class: 'field'}, h('span', null, 'limit'), limit),
		h('fieldset', {class: 'field'}, h('legend', null, 'types'), h('div', {class: 'checks'}, boxes)),
		h('div', {class: 'form-actions'},
			h('button', {type: 'submit', class: 'primary'}, 'Search'),
			h('button', {type: 'button', 'data-action': 'clear'}, 'Clear')));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const q = new URLSearchParams();
		for (const [k] of FIELDS) {
			const v = inputs[k].value.trim();
			if (v) q.set(k, v);
		}
		const checked = [...form.querySelectorAll('input[name="type"]:checked')].map((c) => c.value);
		if (checked.length) q.set('type', checked.join(','));
		if (limit.value && limit.value !== '100') q.set('limit', limit.value);
		navigate('#/events?' + q.toString());
	});
	form.querySelector('[data-action="clear"]').addEventListener('click', () => navigate('#/events'));
	return form;
}

class Results {
	constructor(ctx, query) {
		this.ctx = ctx;
		this.query = query;
		this.tbody = h('tbody');
		this.count = h('span', {class: 'muted small', 'data-role': 'count'});
		this.older = h('button', {type: 'button', 'data-action': 'older', hidden: true}, 'Older');
		this.msg = h('div', {hidden: true});
		this.shown = 0;
		this.boundary = null; // the last record's timestamp
		this.atBoundary = new Set(); // records shown with that timestamp (until is inclusive)
		this.older.addEventListener('click', () => this.more());
		this.el = h('section', {class: 'panel'},
			h('div', {class: 'panel-head'}, h('h2', null, 'Results'), this.count),
			h('div', {class: 'panel-body flush'},
				h('div', {class: 'table-wrap'}, h('table', {class: 'grid', 'data-role': 'results'},
					h('thead', null, h('tr', null, h('th', null, 'time (UTC)'), h('th', null, 'type'),
						h('th', null, 'source'), h('th', null, 'destination'), h('th', null, 'proto'),
						h('th', null, 'summary'))),
					this.tbody))),
			h('div', {class: 'panel-body foot'}, this.msg, this.older));
	}

	async load(until) {
		const q = new URLSearchParams(this.query);
		if (until) q.set('until', until);
		const data = obj(await this.ctx.api('/api/events?' + q.toString()));
		const events = Array.isArray(data.events) ? data.events : [];
		let added = 0;
		for (const ev of events) {
			const key = JSON.stringify(ev);
			const ts = str(obj(ev).timestamp);
			if (until && ts === this.boundary && this.atBoundary.has(key)) continue;
			if (ts !== this.boundary) {
				this.boundary = ts;
				this.atBoundary.clear();
			}
			this.atBoundary.add(key);
			this.add(ev);
			added++;
		}
		this.shown += added;
		this.count.textContent = `${fmtInt(this.shown)} shown` + (data.more === true ? ', more older' : '');
		this.older.hidden = !(data.more === true && this.boundary);
		this.msg.replaceChildren();
		this.msg.hidden = true;
		if (!this.shown) {
			this.tbody.appendChild(h('tr', {class: 'empty'}, h('td', {colspan: 6}, 'no records match')));
		} else if (until && !added && data.more === true) {
			this.older.hidden = true;
			this.msg.hidden = false;
			this.msg.appendChild(h('div', {class: 'notice'},
				`more than ${this.query.get('limit')} records at ${this.boundary}: raise the limit or narrow the search`));
		}
	}

	async more() {
		this.older.disabled = true;
		try {
			await this.load(this.boundary);
		} catch (e) {
			if (e instanceof AuthError) {
				needLogin();
			} else if (e.name !== 'AbortError') {
				this.msg.replaceChildren(errorBox(e.message));
				this.msg.hidden = false;
			}
		} finally {
			this.older.disabled = false;
		}
	}

	add(ev) {
		const e = obj(ev);
		const kind = eventKind(e);
		const row = h('tr', {class: 'clickable', 'data-row': 'event', 'data-type': str(e.event_type) || '',
			tabindex: 0, 'aria-expanded': 'false'},
		h('td', {class: 'time', title: str(e.timestamp)}, fmtTime(e.timestamp, true)),
		h('td', null, badge(str(e.event_type) || '?', 'type b-' + kind)),
		h('td', {class: 'ip'}, endpoint(e.src_ip, e.src_port)),
		h('td', {class: 'ip'}, endpoint(e.dest_ip, e.dest_port)),
		h('td', {class: 'nowrap muted'}, str(e.proto) || ''),
		h('td', {class: 'wide'}, eventSummary(e)));
		let detail = null;
		const toggle = () => {
			if (detail) {
				detail.remove();
				detail = null;
				row.classList.remove('open');
				row.setAttribute('aria-expanded', 'false');
				return;
			}
			const pre = h('pre');
			pre.textContent = cleanBlock(JSON.stringify(ev, null, 2));
			detail = h('tr', {class: 'detail', 'data-row': 'event-json'}, h('td', {colspan: 6}, pre));
			row.after(detail);
			row.classList.add('open');
			row.setAttribute('aria-expanded', 'true');
		};
		row.addEventListener('click', (ev2) => {
			if (ev2.target.closest('a')) return;
			if (window.getSelection && String(window.getSelection())) return; // selecting text
			toggle();
		});
		row.addEventListener('keydown', (k) => {
			if (k.key === 'Enter' || k.key === ' ') {
				k.preventDefault();
				toggle();
			}
		});
		this.tbody.appendChild(row);
	}
}
