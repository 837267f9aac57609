// mamori dashboard: the entry point. Reads the session, routes the hash
// (#/, #/events, #/incidents, #/incident/ID, #/darknet, #/zones, #/health,
// #/intel) to the page modules, and shows the login form when the API
// answers 401. Each page renders into a fresh container
// (data-page="NAME"), marked data-loaded="1" once its data is drawn; what
// a page started (requests, charts, the live feed) ends when it is left.

import {h, clear, api, loadSession, session, AuthError, errorBox, CHART_OK} from './lib.js';
import * as overview from './overview.js';
import * as events from './events.js';
import * as incident from './incident.js';
import * as system from './system.js';

const ROUTES = {
	'': {page: 'overview', title: 'Overview', render: overview.render},
	events: {page: 'events', title: 'Events', render: events.render},
	incidents: {page: 'incidents', title: 'Incidents', render: incident.renderList},
	incident: {page: 'incident', title: 'Incident', render: incident.render, nav: 'incidents'},
	darknet: {page: 'darknet', title: 'Darknet', render: system.renderDarknet},
	zones: {page: 'zones', title: 'Zones', render: system.renderZones},
	health: {page: 'health', title: 'Health', render: system.renderHealth},
	intel: {page: 'intel', title: 'Intel', render: system.renderIntel},
};

const NAV = [
	['', 'Overview'], ['events', 'Events'], ['incidents', 'Incidents'], ['darknet', 'Darknet'],
	['zones', 'Zones'], ['health', 'Health'], ['intel', 'Intel'],
];

// What one rendering of a page holds; left when the route changes.
class PageContext {
	constructor(root, params, arg) {
		this.root = root;
		this.params = params;
		this.arg = arg;
		this.alive = true;
		this.ctrl = new AbortController();
		this.charts = [];
		this.cleanups = [];
	}

	api(path, opts = {}) {
		return api(path, {...opts, signal: this.ctrl.signal});
	}

	chart(canvas, config) {
		if (!CHART_OK || !this.alive) return null;
		const c = new window.Chart(canvas, config);
		this.charts.push(c);
		return c;
	}

	onLeave(fn) {
		this.cleanups.push(fn);
	}

	leave() {
		this.alive = false;
		this.ctrl.abort();
		for (const c of this.charts) c.destroy();
		for (const fn of this.cleanups) {
			try {
				fn();
			} catch (e) {
				console.error(e);
			}
		}
		this.charts = [];
		this.cleanups = [];
	}
}

let current = null;
const main = document.getElementById('main');

function parseHash() {
	let s = location.hash.replace(/^#\/?/, '');
	let query = '';
	const q = s.indexOf('?');
	if (q >= 0) {
		query = s.slice(q + 1);
		s = s.slice(0, q);
	}
	const parts = s.split('/').filter((p) => p !== '');
	let arg = parts.length > 1 ? parts.slice(1).join('/') : null;
	try {
		arg = arg === null ? null : decodeURIComponent(arg);
	} catch (e) {
		// left as written
	}
	return {name: parts[0] || '', arg, params: new URLSearchParams(query)};
}

function setNav(name) {
	for (const a of document.querySelectorAll('[data-nav]')) {
		a.classList.toggle('active', a.getAttribute('data-nav') === name);
	}
}

async function route() {
	if (current) current.leave();
	const {name, arg, params} = parseHash();
	const r = ROUTES[name];
	if (!r) {
		current = null;
		setNav(null);
		const root = h('div', {class: 'page', 'data-page': 'notfound'},
			errorBox(`no page #/${name}`), h('p', null, h('a', {href: '#/'}, 'Overview')));
		main.replaceChildren(root);
		return;
	}
	const root = h('div', {class: 'page', 'data-page': r.page});
	main.replaceChildren(root);
	setNav(r.nav !== undefined ? r.nav : name);
	document.title = `${r.title}${arg ? ' ' + arg : ''} — mamori`;
	const ctx = new PageContext(root, params, arg);
	current = ctx;
	try {
		await r.render(ctx);
		if (ctx.alive) root.setAttribute('data-loaded', '1');
	} catch (e) {
		if (!ctx.alive || e.name === 'AbortError') return;
		if (e instanceof AuthError) {
			showLogin();
			return;
		}
		if (!e.status) console.error(e); // not an answer of the API: a fault of the page
		root.prepend(errorBox(e.message || String(e)));
	}
}

function showLogin(message) {
	if (current) current.leave();
	current = null;
	setNav(null);
	const input = h('input', {type: 'password', name: 'token', autocomplete: 'current-password', required: true,
		placeholder: 'access token', 'aria-label': 'access token'});
	const err = h('div');
	const submit = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
	const form = h('form', {class: 'login', 'data-role': 'login'},
		h('h1', null, 'mamori'),
		h('p', {class: 'muted'}, 'This server needs its access token.'),
		input, submit, err);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clear(err);
		submit.disabled = true;
		try {
			await api('/api/login', {method: 'POST', body: JSON.stringify({token: input.value}),
				type: 'application/json'});
			await loadSession();
			showSessionInfo();
			route();
		} catch (e) {
			err.appendChild(errorBox(e instanceof AuthError ? 'wrong token' : e.message));
			submit.disabled = false;
			input.select();
		}
	});
	const root = h('div', {class: 'page page-login', 'data-page': 'login'}, form);
	if (message) root.prepend(errorBox(message));
	main.replaceChildren(root);
	document.title = 'Sign in — mamori';
	input.focus();
}

function showSessionInfo() {
	const info = document.querySelector('[data-role="session"]');
	if (!info) return;
	clear(info);
	if (session.store) info.appendChild(h('span', {class: 'mono', title: session.store}, session.store));
	if (session.version) info.appendChild(h('span', null, 'v' + session.version));
}

function buildNav() {
	const nav = document.querySelector('[data-role="nav"]');
	clear(nav);
	for (const [name, label] of NAV) {
		nav.appendChild(h('a', {href: '#/' + name, 'data-nav': name}, label));
	}
	const reload = document.querySelector('[data-action="refresh"]');
	if (reload) reload.addEventListener('click', () => route());
}

async function start() {
	buildNav();
	window.addEventListener('hashchange', route);
	window.addEventListener('mamori:route', route);
	window.addEventListener('mamori:login', () => showLogin());
	let s;
	try {
		s = await loadSession();
	} catch (e) {
		main.replaceChildren(h('div', {class: 'page', 'data-page': 'offline'},
			errorBox(e.message || String(e))));
		return;
	}
	showSessionInfo();
	if (s.auth === true && s.authenticated !== true) showLogin();
	else route();
}

start();
