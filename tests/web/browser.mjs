// The dashboard in headless Chromium, driven by playwright-core: every figure of the
// overview and of the incident page against what the store and `mamori report` say,
// the charts drawn, the STIX download, each page loaded without a script or console
// error, and a screenshot of each.
//
// usage: node tests/web/browser.mjs EXPECTED.json
//
// EXPECTED.json (written by tests/e2e/serve_browser.py): url, chromium, playwright
// (the playwright-core folder), artifacts (where the screenshots go), overview (figure
// name -> value), categories, top (sources/destinations/signatures: key -> count),
// incidents (ids, newest first), incident (the document), events_host,
// events_host_count, darknet (figures, sources and ports: key -> packets), zones (`mamori
// audit --json`), counters (the newest stats row), health (/api/stats' health), intel
// (a feed file and what `mamori hunt` finds with it).
//
// The page hooks (docs/web.md, "Dashboard"): [data-page=NAME][data-loaded="1"] once a
// page is drawn; [data-figure=NAME][data-value=RAW] for figures; rows tr[data-row=...];
// [data-action=stix|report]; errors in [data-role=error].
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const exp = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const require = createRequire(import.meta.url);
const { chromium } = require(exp.playwright);

let passed = 0;
let failed = 0;
function check(cond, what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    console.log('FAIL ' + what);
  }
  return !!cond;
}

// A raw data-value against the expected value: numbers compared as numbers.
function same(raw, want) {
  if (raw === null || raw === undefined) return false;
  if (typeof want === 'number') {
    const v = Number(raw);
    return raw.trim() !== '' && Number.isFinite(v) && Math.abs(v - want) <= 1e-6 * Math.max(1, Math.abs(want));
  }
  return String(raw) === String(want);
}

// Whether rows [{key, count}] are a correct top K of counts (key -> count).
function topOk(rows, counts, k) {
  const keys = Object.keys(counts);
  const n = Math.min(k, keys.length);
  if (rows.length !== n) return `${rows.length} rows, not ${n}`;
  const seen = new Set();
  let prev = Infinity;
  for (const r of rows) {
    if (seen.has(r.key)) return `${r.key} twice`;
    seen.add(r.key);
    if (!(r.key in counts)) return `${r.key} is not in the store's figures`;
    if (Number(r.count) !== counts[r.key]) return `${r.key}: ${r.count}, the store says ${counts[r.key]}`;
    if (Number(r.count) > prev) return `not largest first at ${r.key}`;
    prev = Number(r.count);
  }
  const rest = keys.filter((x) => !seen.has(x)).map((x) => counts[x]);
  if (rows.length && rest.length && Math.max(...rest) > prev) return `one with ${Math.max(...rest)} left out`;
  return '';
}

const errors = [];
const browser = await chromium.launch({
  executablePath: exp.chromium,
  headless: true,
  args: ['--no-sandbox'],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(20000);
page.on('pageerror', (e) => errors.push('page error: ' + e.message));
page.on('console', (m) => {
  // the browser asks for /favicon.ico by itself; the page does not use one
  const at = (m.location() || {}).url || '';
  if (m.type() === 'error' && !at.endsWith('/favicon.ico')) errors.push('console error: ' + m.text() + (at ? ' (' + at + ')' : ''));
});
page.on('requestfailed', (r) => {
  // the live feed is cut when the page goes; a download's navigation is aborted
  if (!r.url().includes('/api/live') && !r.url().includes('/stix')) errors.push('request failed: ' + r.url() + ' ' + (r.failure() || {}).errorText);
});

async function loaded(name) {
  try {
    await page.waitForSelector(`[data-page="${name}"][data-loaded="1"]`, { state: 'attached' });
    return check(true, `page ${name} loaded`);
  } catch (e) {
    return check(false, `page ${name}: no [data-page="${name}"][data-loaded="1"] within 20 s`);
  }
}

async function go(hash, name) {
  const link = page.locator(`a[href="${hash}"]`).first();
  if ((await link.count()) && (await link.isVisible())) {
    await link.click();
  } else {
    await page.evaluate((h) => { window.location.hash = h; }, hash);
  }
  return loaded(name);
}

async function figure(name) {
  const el = page.locator(`[data-figure="${name}"]`).first();
  if (!(await el.count())) return null;
  return el.getAttribute('data-value');
}

async function checkFigure(name, want) {
  const raw = await figure(name);
  check(raw !== null, `figure ${name} is on the page`);
  if (raw !== null) check(same(raw, want), `figure ${name}: data-value ${JSON.stringify(raw)}, expected ${JSON.stringify(want)}`);
}

async function rows(sel, key) {
  return page.$$eval(sel, (els, key) => els.map((e) => ({ key: e.getAttribute(key), count: e.getAttribute('data-count') })), key);
}

async function noError(name) {
  const texts = await page.$$eval('[data-role="error"]', (els) => els.filter((e) => e.offsetParent !== null).map((e) => e.textContent.trim()).filter((t) => t));
  check(texts.length === 0, `page ${name}: no error shown: ${JSON.stringify(texts)}`);
}

async function shot(file) {
  await page.screenshot({ path: path.join(exp.artifacts, file), fullPage: true });
}

async function canvasesDrawn() {
  const n = await page.locator('[data-page="overview"] canvas').count();
  check(n >= 1, `overview: ${n} chart canvases`);
  if (!n) return;
  try {
    await page.waitForFunction(() => {
      const cs = [...document.querySelectorAll('[data-page="overview"] canvas')];
      return cs.length && cs.every((c) => {
        if (!c.width || !c.height) return false;
        const ctx = c.getContext('2d');
        if (!ctx) return false;
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
        return false;
      });
    }, null, { timeout: 15000 });
    check(true, 'overview: every chart canvas has something drawn');
  } catch (e) {
    check(false, 'overview: a chart canvas is blank after 15 s');
  }
}

try {
  // ---- overview ----
  await page.goto(exp.url + '#/');
  if (await loaded('overview')) {
    for (const [name, want] of Object.entries(exp.overview)) await checkFigure(name, want);
    for (const [cat, want] of Object.entries(exp.categories)) await checkFigure('category-' + cat, want);
    const cats = await page.$$eval('[data-figure^="category-"]', (els) => els.map((e) => e.getAttribute('data-figure')));
    const wantCats = Object.keys(exp.categories).map((c) => 'category-' + c).sort();
    check(JSON.stringify([...new Set(cats)].sort()) === JSON.stringify(wantCats), `overview: the categories ${JSON.stringify(cats)}, expected ${JSON.stringify(wantCats)}`);
    let e = topOk(await rows('tr[data-row="top-source"]', 'data-ip'), exp.top.sources, 10);
    check(!e, `overview: top sources: ${e}`);
    e = topOk(await rows('tr[data-row="top-destination"]', 'data-ip'), exp.top.destinations, 10);
    check(!e, `overview: top destinations: ${e}`);
    e = topOk(await rows('tr[data-row="top-signature"]', 'data-sid'), exp.top.signatures, 10);
    check(!e, `overview: top signatures: ${e}`);
    await canvasesDrawn();
    await noError('overview');
    await shot('overview.png');
  }

  // ---- the incident with the highest score ----
  const doc = exp.incident;
  const id = doc.id;
  let link = page.locator(`a[href="#/incident/${id}"]`).first();
  let listed = false;
  if (!(await link.count()) || !(await link.isVisible())) {
    if (await go('#/incidents', 'incidents')) {
      listed = true;
      const ids = await page.$$eval('tr[data-row="incident"]', (els) => els.map((e) => Number(e.getAttribute('data-id'))));
      check(JSON.stringify(ids) === JSON.stringify(exp.incidents), `incidents: rows ${JSON.stringify(ids)}, expected ${JSON.stringify(exp.incidents)}`);
    }
    link = page.locator(`tr[data-row="incident"][data-id="${id}"] a[href="#/incident/${id}"]`).first();
  }
  check(await link.count(), `a link to #/incident/${id}`);
  if (await link.count()) {
    await link.click();
    if (await loaded('incident')) {
      const dm = doc.damage || {};
      const figs = {
        'incident-id': id,
        'incident-title': doc.title,
        'incident-severity': doc.severity,
        'incident-score': doc.score,
        'incident-status': doc.status,
        'incident-first-seen': doc.first_seen,
        'incident-last-seen': doc.last_seen,
        'incident-dwell-seconds': doc.dwell_seconds,
        'incident-hosts': (doc.hosts || []).length,
        'incident-infrastructure': (doc.infrastructure || []).length,
        'incident-bytes-out': ((dm.bytes_out || {}).total) || 0,
        'incident-bytes-in': ((dm.bytes_in || {}).total) || 0,
        'incident-pii-records': ((dm.personal_data || {}).records) || 0,
        'incident-files-out': ((dm.files_out || {}).files || []).length,
        'incident-tools-in': ((dm.tools_in || {}).files || []).length,
        'incident-staged': ((dm.staged || {}).files || []).length,
      };
      for (const k of ['alerts', 'intel', 'events', 'retro']) figs['incident-signals-' + k] = (doc.signals || {})[k] || 0;
      for (const [name, want] of Object.entries(figs)) await checkFigure(name, want);
      const hosts = await page.$$eval('tr[data-row="host"]', (els) => els.map((e) => e.getAttribute('data-ip')));
      const wantHosts = (doc.hosts || []).map((h) => h.ip);
      check(JSON.stringify([...hosts].sort()) === JSON.stringify([...wantHosts].sort()), `incident: host rows ${JSON.stringify(hosts)}, expected ${JSON.stringify(wantHosts)}`);
      const infra = await page.$$eval('tr[data-row="infra"]', (els) => els.map((e) => e.getAttribute('data-value')));
      const wantInfra = (doc.infrastructure || []).map((f) => f.value);
      check(JSON.stringify([...infra].sort()) === JSON.stringify([...wantInfra].sort()), `incident: infrastructure rows ${JSON.stringify(infra)}, expected ${JSON.stringify(wantInfra)}`);
      const files = ['files_out', 'tools_in', 'staged'].reduce((n, k) => n + ((dm[k] || {}).files || []).length, 0);
      const fr = await page.locator('tr[data-row="file"]').count();
      check(fr === files, `incident: ${fr} file rows, the document has ${files} files`);
      const tl = await page.locator('[data-row="timeline"]').count();
      check(tl === (doc.timeline || []).length, `incident: ${tl} timeline rows, the document has ${(doc.timeline || []).length}`);
      await noError('incident');
      await shot('incident.png');

      // the report and STIX buttons
      const rep = page.locator('[data-action="report"]').first();
      check(await rep.count(), 'incident: a report button');
      if (await rep.count()) {
        const href = await rep.getAttribute('href');
        check(href === null || href.includes(`/api/incidents/${id}/report`), `incident: report link ${href}`);
      }
      const md = page.locator('[data-action="markdown"]').first();
      if (check(await md.count(), 'incident: a Markdown button')) {
        const href = await md.getAttribute('href');
        check(href && new URL(href, exp.url).pathname === `/api/incidents/${id}/report` && new URL(href, exp.url).searchParams.get('format') === 'markdown',
          `incident: the Markdown link ${href}`);
      }
      const stix = page.locator('[data-action="stix"]').first();
      if (check(await stix.count(), 'incident: a STIX button')) {
        const tag = await stix.evaluate((e) => e.tagName);
        const href = await stix.getAttribute('href');
        check(tag === 'A' && (await stix.getAttribute('download')) !== null && href && new URL(href, exp.url).pathname === `/api/incidents/${id}/stix`,
          `incident: the STIX button is <a href=/api/incidents/${id}/stix download>: ${tag} ${href}`);
        try {
          const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), stix.click()]);
          check(dl.suggestedFilename() === `mamori-incident-${id}.stix.json`, `STIX download named ${dl.suggestedFilename()}`);
          const file = path.join(exp.artifacts, `mamori-incident-${id}.stix.json`);
          await dl.saveAs(file);
          let bundle = null;
          try {
            bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
          } catch (e) {
            check(false, 'the STIX download parses as JSON: ' + e.message);
          }
          if (bundle) {
            const types = (bundle.objects || []).map((o) => o.type);
            check(bundle.type === 'bundle' && /^bundle--[0-9a-f-]{36}$/.test(bundle.id || '') && types.includes('incident') && types.includes('indicator'),
              `the STIX download is a bundle with an incident and indicators: ${bundle.type} ${JSON.stringify([...new Set(types)])}`);
          }
        } catch (e) {
          check(false, 'a download arrives when the STIX button is clicked: ' + e.message);
        }
      }
    }
  }
  if (!listed && (await go('#/incidents', 'incidents'))) {
    const ids = await page.$$eval('tr[data-row="incident"]', (els) => els.map((e) => Number(e.getAttribute('data-id'))));
    check(JSON.stringify(ids) === JSON.stringify(exp.incidents), `incidents: rows ${JSON.stringify(ids)}, expected ${JSON.stringify(exp.incidents)}`);
    for (const i of exp.incidents) {
      check(await page.locator(`tr[data-row="incident"][data-id="${i}"] a[href="#/incident/${i}"]`).count(), `incidents: row ${i} links to #/incident/${i}`);
    }
  }

  // ---- darknet ----
  if (await go('#/darknet', 'darknet')) {
    const dn = exp.darknet;
    for (const k of ['total-packets', 'total-sources', 'days']) await checkFigure('darknet-' + k, dn[k]);
    const src = await page.$$eval('tr[data-row="darknet-source"]', (els) => els.map((e) => ({ key: e.getAttribute('data-ip'), count: e.getAttribute('data-packets') })));
    const e = topOk(src, dn.sources, 20);
    check(!e, `darknet: source rows: ${e}`);
    const ports = await page.$$eval('tr[data-row="darknet-port"]', (els) => els.map((e) => `${(e.getAttribute('data-proto') || '').toLowerCase()}/${e.getAttribute('data-port')}`));
    check(ports.length === Math.min(20, Object.keys(dn.ports).length) && ports.every((p) => p in dn.ports),
      `darknet: port rows ${JSON.stringify(ports.slice(0, 5))}… (${ports.length}) are the store's`);
    const minListed = Math.min(...ports.map((p) => dn.ports[p]));
    check(Object.entries(dn.ports).every(([k, v]) => ports.includes(k) || v <= minListed), 'darknet: no port with more packets left out');
    await noError('darknet');
    await shot('darknet.png');
  }

  // ---- zones: as mamori audit --json ----
  if (await go('#/zones', 'zones')) {
    const z = exp.zones;
    const zs = z.zones || [];
    await checkFigure('zones-compliant', z.compliant ? 'true' : 'false');
    await checkFigure('zones-count', zs.length);
    await checkFigure('zones-compliant-count', zs.filter((x) => x.compliant).length);
    await checkFigure('zones-violations', zs.reduce((n, x) => n + x.violations, 0));
    for (const x of zs) {
      for (const k of ['flows', 'packets', 'bytes', 'violations']) await checkFigure(`zone-${x.zone}-${k}`, x[k]);
      await checkFigure(`zone-${x.zone}-compliant`, x.compliant ? 'true' : 'false');
    }
    const names = await page.$$eval('[data-row="zone"]', (els) => els.map((e) => e.getAttribute('data-zone')));
    check(JSON.stringify([...names].sort()) === JSON.stringify(zs.map((x) => x.zone).sort()), `zones: zone rows ${JSON.stringify(names)}`);
    const nv = await page.locator('[data-row="violation"]').count();
    const want = zs.reduce((n, x) => n + (x.events || []).length, 0);
    check(nv === want, `zones: ${nv} violation rows, mamori audit lists ${want}`);
    await noError('zones');
    await shot('zones.png');
  }

  // ---- health: the newest stats row ----
  if (await go('#/health', 'health')) {
    const hl = exp.health;
    for (const k of ['status', 'drops', 'memcap', 'caps']) await checkFigure('health-' + k, hl[k]);
    const checks = await page.$$eval('tr[data-row="check"]', (els) => els.map((e) => [e.getAttribute('data-counter'), e.getAttribute('data-value')]));
    check(checks.length === (hl.checks || []).length, `health: ${checks.length} check rows, the API has ${(hl.checks || []).length}`);
    for (const [c, v] of checks) check(same(v, exp.counters[c] || 0), `health: check ${c} = ${v}, the stats row says ${exp.counters[c] || 0}`);
    const counters = await page.$$eval('tr[data-row="counter"]', (els) => els.map((e) => e.getAttribute('data-counter')));
    check(JSON.stringify([...counters].sort()) === JSON.stringify(Object.keys(exp.counters).sort()), `health: ${counters.length} counter rows, the stats row has ${Object.keys(exp.counters).length}`);
    await noError('health');
    await shot('health.png');
  }

  // ---- events: search by host ----
  if (await go('#/events', 'events')) {
    const sel = ['[data-page="events"] [name="host"]', '[data-page="events"] [data-field="host"]',
      '[data-page="events"] input[placeholder*="host" i]'];
    let input = null;
    for (const s of sel) {
      if (await page.locator(s).count()) {
        input = page.locator(s).first();
        break;
      }
    }
    if (check(input, 'events: a host field ([name=host] or [data-field=host])')) {
      await input.fill(exp.events_host);
      try {
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.url().includes('/api/events') && r.url().includes('host=' + encodeURIComponent(exp.events_host)), { timeout: 15000 }),
          input.press('Enter'),
        ]);
        check(resp.status() === 200, `events: the search asks /api/events?host=${exp.events_host}: ${resp.status()}`);
        await page.waitForSelector('[data-page="events"][data-loaded="1"]', { state: 'attached' });
        try {
          await page.waitForFunction((n) => document.querySelectorAll('[data-page="events"] [data-row="event"]').length === n, exp.events_host_count, { timeout: 10000 });
          check(true, 'events: rows for the host');
        } catch (e) {
          const n = await page.locator('[data-page="events"] [data-row="event"]').count();
          check(false, `events: ${n} rows [data-row=event] for ${exp.events_host}, mamori query has ${exp.events_host_count}`);
        }
      } catch (e) {
        check(false, 'events: the search by host: ' + e.message.split('\n')[0]);
      }
      await noError('events');
    }
    await shot('events.png');
  }

  // ---- intel: upload a feed through the form (this changes the store: last) ----
  if (await go('#/intel', 'intel')) {
    await noError('intel');
    const it = exp.intel;
    await page.locator('[data-page="intel"] input[name="feed"]').setInputFiles(it.file);
    await page.locator('[data-page="intel"] [data-action="upload"]').click();
    try {
      await page.waitForSelector('[data-figure="intel-sightings"]', { timeout: 60000 });
      await checkFigure('intel-loaded', it.loaded);
      await checkFigure('intel-sightings', it.sightings);
      await checkFigure('intel-records', it.records);
    } catch (e) {
      check(false, 'intel: the upload\'s result within 60 s: ' + e.message.split('\n')[0]);
    }
    await noError('intel');
    await shot('intel.png');
    // the sightings are now records of the store
    await page.evaluate(() => { window.location.hash = '#/events?type=intel'; });
    await page.waitForSelector('[data-page="events"][data-loaded="1"]', { state: 'attached' });
    try {
      await page.waitForFunction((n) => document.querySelectorAll('[data-page="events"] [data-row="event"]').length === n, it.sightings, { timeout: 10000 });
      check(true, 'events: the uploaded sightings are listed');
    } catch (e) {
      const n = await page.locator('[data-page="events"] [data-row="event"]').count();
      check(false, `events type=intel: ${n} rows after the upload, ${it.sightings} sightings`);
    }
  }
} catch (e) {
  check(false, 'browser script: ' + (e.stack || e));
} finally {
  await browser.close();
}
for (const e of errors) check(false, e);
check(errors.length === 0, `no page or console errors (${errors.length})`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
