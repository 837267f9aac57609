/*
 * report_svg — the timeline chart of the HTML report: an inline SVG with time
 * running left to right from the first to the last activity (UTC ticks chosen
 * for the span, from minutes to months), one lane per ATT&CK tactic in
 * kill-chain order, then one lane per affected host. Each timeline entry is a
 * dot, or a bar from its first to its last time when it folds repeats; colour
 * is severity; a <title> on each marker names time, kind, technique, host,
 * peer and summary. Markers that overlap stack in rows. A lane with more
 * than CHART_LANE_MARKS entries is cut into CHART_LANE_MARKS equal periods
 * and each period's entries become one outlined marker, and the caption says
 * so: 500 entries over six months stay as legible as ten over two hours.
 */
#include "incident/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHART_W		   1160 /* user units; the figure scales to the page */
#define CHART_X0	   262	/* plot area: left edge (labels to its left) */
#define CHART_X1	   (CHART_W - 24)
#define CHART_LEGEND_H	   34
#define CHART_AXIS_H	   40
#define CHART_GROUP_H	   24 /* the heading row of a group of lanes */
#define CHART_LANE_H	   28 /* a lane's height with one row of markers */
#define CHART_ROW_H	   15 /* each further row: overlapping markers stack */
#define CHART_ROWS	   4
#define CHART_LANE_MARKS   60 /* entries in a lane above which nearby ones merge */
#define CHART_TACTIC_LANES 24 /* tactics drawn; entries of others go to "other" */
#define CHART_HOST_LANES   12
#define CHART_ENTRIES	   200000 /* timeline entries drawn at most */
#define CHART_LABEL_MAX	   30	  /* bytes of a lane label (the full one is its title) */
#define CHART_TICKS	   10

struct chart_ent {
	double t0, t1;
	unsigned sev; /* 1..3, 0 when not given */
	uint64_t count;
	int lane, host; /* -1: none */
	const json_t *e;
};

struct chart_lane {
	const char *id, *name;
	size_t n;
};

struct chart {
	struct report_out *o;
	double lo, hi; /* the activity drawn */
	double d0, d1; /* the time domain: lo to hi with a margin */
	struct chart_ent *ent;
	size_t n, untimed;
	struct chart_lane lane[CHART_TACTIC_LANES + 1]; /* the last: no tactic */
	int n_lanes;
	const char *host[CHART_HOST_LANES];
	size_t host_n[CHART_HOST_LANES];
	int n_hosts;
	size_t hosts_left; /* hosts not drawn */
	size_t merged_lanes, merged_in, merged_out;
};

static const char *const sev_fill[] = {"#90a4ae", "#c62828", "#ef6c00", "#f2b705"};

static double xpos(const struct chart *c, double t)
{
	return CHART_X0 + (t - c->d0) / (c->d1 - c->d0) * (CHART_X1 - CHART_X0);
}

/* ---- lanes and entries ---- */

static int lane_of(const struct chart *c, const char *id)
{
	for (int i = 0; id && i < c->n_lanes; i++)
		if (c->lane[i].id && !strcmp(c->lane[i].id, id))
			return i;
	return -1;
}

static void add_lane(struct chart *c, const char *id, const char *name)
{
	if (!id || c->n_lanes >= CHART_TACTIC_LANES || lane_of(c, id) >= 0)
		return;
	c->lane[c->n_lanes].id = id;
	c->lane[c->n_lanes].name = name ? name : report_tactic_name(id);
	c->lane[c->n_lanes].n = 0;
	c->n_lanes++;
}

static int by_rank(const void *a, const void *b)
{
	int ra = report_tactic_rank(((const struct chart_lane *)a)->id);
	int rb = report_tactic_rank(((const struct chart_lane *)b)->id);
	return (ra > rb) - (ra < rb);
}

/* The lanes: the document's tactics in its order (kill-chain order), then
 * tactics that only the timeline names. Without a tactics list, the
 * timeline's tactics sorted into kill-chain order. */
static void lanes(struct chart *c, const json_t *doc)
{
	const json_t *tactics = report_arr(doc, "tactics"), *t;
	size_t i;
	json_array_foreach(tactics, i, t)
		add_lane(c, report_str(t, "id"), report_str(t, "name"));
	json_array_foreach(report_arr(doc, "timeline"), i, t)
		add_lane(c, report_str(t, "tactic_id"), report_str(t, "tactic"));
	if (!tactics)
		qsort(c->lane, (size_t)c->n_lanes, sizeof(c->lane[0]), by_rank);
	const json_t *hosts = report_arr(doc, "hosts"), *h;
	json_array_foreach(hosts, i, h) {
		const char *ip = report_str(h, "ip");
		bool dup = !ip;
		for (int k = 0; !dup && k < c->n_hosts; k++)
			dup = !strcmp(c->host[k], ip);
		if (dup)
			continue;
		if (c->n_hosts < CHART_HOST_LANES)
			c->host[c->n_hosts++] = ip;
		else
			c->hosts_left++;
	}
}

static int entries(struct chart *c, const json_t *doc)
{
	const json_t *tl = report_arr(doc, "timeline"), *e;
	size_t n = json_array_size(tl), i;
	if (n > CHART_ENTRIES)
		n = CHART_ENTRIES;
	c->ent = calloc(n ? n : 1, sizeof(*c->ent));
	if (!c->ent)
		return -1;
	int other = -1;
	json_array_foreach(tl, i, e) {
		if (i >= n)
			break;
		struct chart_ent *x = &c->ent[c->n];
		uint64_t v;
		if (!json_is_object(e))
			continue;
		if (!report_time(e, "ts", &x->t0)) {
			c->untimed++;
			continue;
		}
		x->count = report_u64(e, "count", &v) && v ? v : 1;
		x->t1 = x->t0;
		double l;
		if (x->count > 1 && report_time(e, "last_ts", &l) && l > x->t0 && l - x->t0 < 1e10)
			x->t1 = l;
		x->sev = report_u64(e, "severity", &v) && v >= 1 && v <= 3 ? (unsigned)v : 0;
		x->e = e;
		x->lane = lane_of(c, report_str(e, "tactic_id"));
		if (x->lane < 0) {
			if (other < 0) {
				other = c->n_lanes;
				c->lane[other].id = NULL;
				c->lane[other].name = NULL;
				c->lane[other].n = 0;
			}
			x->lane = other;
		}
		c->lane[x->lane].n++;
		x->host = -1;
		const char *h = report_str(e, "host");
		for (int k = 0; h && k < c->n_hosts; k++)
			if (!strcmp(c->host[k], h)) {
				x->host = k;
				c->host_n[k]++;
			}
		c->n++;
	}
	return other;
}

/* The domain: the incident's first to last activity, widened to every entry
 * and host drawn, at least a minute, with a margin of 2 %. */
static bool domain(struct chart *c, const json_t *doc)
{
	double lo = INFINITY, hi = -INFINITY, t;
	if (report_time(doc, "first_seen", &t))
		lo = hi = t;
	if (report_time(doc, "last_seen", &t)) {
		lo = fmin(lo, t);
		hi = fmax(hi, t);
	}
	for (size_t i = 0; i < c->n; i++) {
		lo = fmin(lo, c->ent[i].t0);
		hi = fmax(hi, c->ent[i].t1);
	}
	if (!isfinite(lo) || !isfinite(hi))
		return false;
	if (hi - lo < 60) {
		double mid = (lo + hi) / 2;
		lo = mid - 30;
		hi = mid + 30;
	}
	c->lo = lo;
	c->hi = hi;
	double pad = (hi - lo) * 0.02;
	c->d0 = lo - pad;
	c->d1 = hi + pad;
	return true;
}

/* ---- axis ---- */

static void tick_label(struct chart *c, double x, double t, long step, bool months, int *prev_day,
		       int *prev_year)
{
	char a[32], b[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return;
	int day = tm.tm_year * 400 + tm.tm_yday;
	b[0] = '\0';
	if (months) {
		strftime(a, sizeof(a), "%b", &tm);
		if (tm.tm_year != *prev_year || tm.tm_mon == 0)
			strftime(b, sizeof(b), "%Y", &tm);
	} else if (step >= 86400) {
		strftime(a, sizeof(a), "%b %d", &tm);
		if (tm.tm_year != *prev_year)
			strftime(b, sizeof(b), "%Y", &tm);
	} else {
		strftime(a, sizeof(a), "%H:%M", &tm);
		if (day != *prev_day)
			strftime(b, sizeof(b), "%b %d", &tm);
	}
	*prev_day = day;
	*prev_year = tm.tm_year;
	int y = CHART_LEGEND_H + 16;
	report_printf(c->o, "<text class=\"tk\" x=\"%.1f\" y=\"%d\">%s</text>", x, y, a);
	if (b[0])
		report_printf(c->o, "<text class=\"tk2\" x=\"%.1f\" y=\"%d\">%s</text>", x, y + 15,
			      b);
	report_lit(c->o, "\n");
}

/* Ticks at round UTC times: a step from a minute to a year such that at most
 * CHART_TICKS fall in the domain. Grid lines run from top to bottom. */
static long axis(struct chart *c, int bottom)
{
	static const long steps[] = {60,    120,   300,	  600,	 900,	 1800,	 3600,	 7200,
				     10800, 21600, 43200, 86400, 172800, 604800, 1209600};
	static const int month_steps[] = {1, 2, 3, 6, 12};
	double span = c->d1 - c->d0;
	long step = 0;
	int months = 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !step; i++)
		if (span / (double)steps[i] <= CHART_TICKS)
			step = steps[i];
	for (size_t i = 0; i < 5 && !step && !months; i++)
		if (span / (month_steps[i] * 30.44 * 86400) <= CHART_TICKS)
			months = month_steps[i];
	if (!step && !months)
		months = 12 * (int)ceil(span / (CHART_TICKS * 365.25 * 86400));
	int top = CHART_LEGEND_H + CHART_AXIS_H - 4, prev_day = -1, prev_year = -1;
	report_printf(c->o,
		      "<g class=\"axis\">\n<line class=\"ax\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		      "y2=\"%d\"/>\n",
		      CHART_X0, top, CHART_X1, top);
	double t;
	struct tm tm;
	time_t tt = (time_t)c->d0;
	if (months) {
		gmtime_r(&tt, &tm);
		tm = (struct tm){.tm_year = tm.tm_year, .tm_mon = tm.tm_mon + 1, .tm_mday = 1};
		while (tm.tm_mon % months)
			tm.tm_mon++;
		t = (double)timegm(&tm);
	} else {
		/* weeks start on Monday: the epoch was a Thursday */
		double off = step >= 604800 ? 4 * 86400 : 0;
		t = ceil((c->d0 - off) / (double)step) * (double)step + off;
	}
	for (int k = 0; t <= c->d1 && k < 4 * CHART_TICKS; k++) {
		double x = xpos(c, t);
		report_printf(c->o,
			      "<line class=\"gr\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x,
			      top, x, bottom);
		if (x > CHART_X0 + 18 && x < CHART_X1 - 18)
			tick_label(c, x, t, step, months != 0, &prev_day, &prev_year);
		if (months) {
			tm.tm_mon += months;
			t = (double)timegm(&tm);
		} else {
			t += (double)step;
		}
	}
	report_lit(c->o, "</g>\n");
	return months ? -months : step;
}

/* ---- markers ---- */

/* A lane label, cut to CHART_LABEL_MAX with the whole of it as its title. */
static void label(struct chart *c, int y, const char *id, const char *name, const char *fallback)
{
	report_printf(c->o, "<text class=\"ll\" x=\"%d\" y=\"%d\">", CHART_X0 - 12, y);
	if (id) {
		report_lit(c->o, "<tspan class=\"lid\">");
		report_textn(c->o, id, 12);
		report_lit(c->o, "</tspan> ");
	}
	if (name)
		report_textn(c->o, name, CHART_LABEL_MAX);
	else if (!id)
		report_lit(c->o, fallback);
	report_lit(c->o, "<title>");
	report_textn(c->o, id, REPORT_LABEL_MAX);
	report_lit(c->o, id && name ? " " : "");
	report_textn(c->o, name, REPORT_LABEL_MAX);
	if (!id && !name)
		report_lit(c->o, fallback);
	report_lit(c->o, "</title></text>\n");
}

/* "2024-01-15 09:15:00 to 10:58:00 UTC" */
static void span_words(struct chart *c, double t0, double t1)
{
	char a[REPORT_BUF], b[REPORT_BUF];
	report_lit(c->o, report_utc(a, t0));
	if (t1 > t0)
		report_printf(c->o, " to %s", report_utc_short(b, t1, t0));
	report_lit(c->o, " UTC");
}

static void tooltip_one(struct chart *c, const struct chart_ent *x)
{
	const json_t *e = x->e;
	span_words(c, x->t0, x->t1);
	report_lit(c->o, " · ");
	report_kind(c->o, report_str(e, "kind"));
	if (x->count > 1) {
		report_lit(c->o, " ×");
		report_count(c->o, x->count);
	}
	if (x->sev)
		report_printf(c->o, " · severity %u", x->sev);
	if (report_str(e, "technique_id") || report_str(e, "technique")) {
		report_lit(c->o, " · ");
		report_textn(c->o, report_str(e, "technique_id"), 40);
		report_lit(c->o, " ");
		report_textn(c->o, report_str(e, "technique"), REPORT_LABEL_MAX);
	}
	if (report_str(e, "host")) {
		report_lit(c->o, "\n");
		report_textn(c->o, report_str(e, "host"), REPORT_LABEL_MAX);
		if (report_str(e, "peer")) {
			report_lit(c->o, " → ");
			report_textn(c->o, report_str(e, "peer"), REPORT_LABEL_MAX);
		}
	}
	if (report_str(e, "summary")) {
		report_lit(c->o, "\n");
		report_textn(c->o, report_str(e, "summary"), 200);
	}
}

/* Up to four distinct values of a member among the entries, then "…". */
static void distinct(struct chart *c, struct chart_ent **g, size_t n, const char *key, bool kind)
{
	const char *seen[4];
	size_t k = 0;
	bool more = false;
	for (size_t i = 0; i < n; i++) {
		const char *s = report_str(g[i]->e, key);
		bool dup = !s;
		for (size_t j = 0; !dup && j < k; j++)
			dup = !strcmp(seen[j], s);
		if (dup)
			continue;
		if (k == 4) {
			more = true;
			break;
		}
		if (k)
			report_lit(c->o, ", ");
		if (kind)
			report_kind(c->o, s);
		else
			report_textn(c->o, s, 60);
		seen[k++] = s;
	}
	if (more)
		report_lit(c->o, ", …");
}

/* A marker: the entries g[0..n) (sorted by time), drawn from x0 to x1 (the
 * whole shape) in row of its lane. */
struct chart_mark {
	struct chart_ent **g;
	size_t n;
	double t1;
	double x0, x1;
	int row;
};

/* A lane's place: its marks, rows and height. */
struct chart_place {
	struct chart_mark *m;
	size_t n_m;
	int rows, y, h;
};

static void marker(struct chart *c, const struct chart_mark *m, double y)
{
	struct chart_ent **g = m->g;
	size_t n = m->n;
	double t0 = g[0]->t0, t1 = m->t1;
	unsigned sev = 0;
	uint64_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (g[i]->sev && (!sev || g[i]->sev < sev))
			sev = g[i]->sev;
		count = count + g[i]->count < count ? UINT64_MAX : count + g[i]->count;
	}
	bool bar = n > 1 || t1 > t0;
	if (n > 1)
		report_printf(c->o,
			      "<rect class=\"mk mg\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			      "height=\"14\" rx=\"4\" fill=\"%s\">",
			      m->x0, y - 7, m->x1 - m->x0, sev_fill[sev]);
	else if (bar)
		report_printf(c->o,
			      "<rect class=\"mk\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			      "height=\"10\" rx=\"3\" fill=\"%s\">",
			      m->x0, y - 5, m->x1 - m->x0, sev_fill[sev]);
	else
		report_printf(c->o,
			      "<circle class=\"mk\" cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" "
			      "fill=\"%s\">",
			      (m->x0 + m->x1) / 2, y, sev_fill[sev]);
	report_lit(c->o, "<title>");
	if (n == 1) {
		tooltip_one(c, g[0]);
	} else {
		report_printf(c->o, "%zu signals merged (", n);
		report_count(c->o, count);
		report_lit(c->o, " in all) · ");
		span_words(c, t0, t1);
		if (sev)
			report_printf(c->o, " · highest severity %u", sev);
		report_lit(c->o, "\nkinds: ");
		distinct(c, g, n, "kind", true);
		report_lit(c->o, "\nhosts: ");
		distinct(c, g, n, "host", false);
		report_lit(c->o, "\npeers: ");
		distinct(c, g, n, "peer", false);
	}
	report_lit(c->o, bar ? "</title></rect>\n" : "</title></circle>\n");
}

static int by_lane(const void *a, const void *b)
{
	const struct chart_ent *x = *(struct chart_ent *const *)a,
			       *y = *(struct chart_ent *const *)b;
	if (x->lane != y->lane)
		return (x->lane > y->lane) - (x->lane < y->lane);
	return (x->t0 > y->t0) - (x->t0 < y->t0);
}

static int by_host(const void *a, const void *b)
{
	const struct chart_ent *x = *(struct chart_ent *const *)a,
			       *y = *(struct chart_ent *const *)b;
	if (x->host != y->host)
		return (x->host > y->host) - (x->host < y->host);
	return (x->t0 > y->t0) - (x->t0 < y->t0);
}

/* The marks of one lane from its n entries g (sorted by time), into m.
 * Past CHART_LANE_MARKS entries, the plot is cut into CHART_LANE_MARKS equal
 * periods and the entries starting in one period make one mark (periods,
 * not chains of neighbours: evenly spread entries would chain into one).
 * Then each mark takes the first row where it overlaps nothing (at most
 * CHART_ROWS; past that, the row that ends first). */
static void place(struct chart *c, struct chart_ent **g, size_t n, struct chart_place *p)
{
	double period = n > CHART_LANE_MARKS ? (double)(CHART_X1 - CHART_X0) / CHART_LANE_MARKS : 0;
	double row_end[CHART_ROWS] = {-INFINITY};
	size_t start = 0;
	p->n_m = 0;
	p->rows = 1;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && period > 0 &&
		    floor((xpos(c, g[i]->t0) - CHART_X0) / period) ==
			floor((xpos(c, g[start]->t0) - CHART_X0) / period))
			continue;
		struct chart_mark *m = &p->m[p->n_m];
		m->g = g + start;
		m->n = i - start;
		m->t1 = m->g[0]->t1;
		for (size_t k = 0; k < m->n; k++)
			m->t1 = fmax(m->t1, m->g[k]->t1);
		double x0 = xpos(c, m->g[0]->t0), x1 = xpos(c, m->t1);
		if (m->n > 1) {
			/* as wide as its entries' times, so that merged marks of
			 * neighbouring periods stay side by side in one row */
			m->x0 = x0;
			m->x1 = m->x0 + fmax(x1 - x0, 6);
		} else if (m->t1 > m->g[0]->t0) {
			m->x0 = x0 - 3;
			m->x1 = m->x0 + fmax(x1 - x0 + 6, 6);
		} else {
			m->x0 = x0 - 5.5;
			m->x1 = x0 + 5.5;
		}
		int best = -1, first_free = -1;
		for (int r = 0; r < p->rows && first_free < 0; r++) {
			if (row_end[r] + 1 <= m->x0)
				first_free = r;
			else if (best < 0 || row_end[r] < row_end[best])
				best = r;
		}
		if (first_free >= 0) {
			best = first_free;
		} else if (p->rows < CHART_ROWS) {
			best = p->rows++;
			row_end[best] = -INFINITY;
		}
		m->row = best;
		row_end[best] = fmax(row_end[best], m->x1);
		p->n_m++;
		start = i;
	}
	if (period > 0) {
		c->merged_lanes++;
		c->merged_in += n;
		c->merged_out += p->n_m;
	}
	p->h =
	    p->rows * CHART_ROW_H + 12 > CHART_LANE_H ? p->rows * CHART_ROW_H + 12 : CHART_LANE_H;
}

static void draw_marks(struct chart *c, const struct chart_place *p)
{
	double top = p->y + (p->h - p->rows * CHART_ROW_H) / 2.0;
	for (size_t i = 0; i < p->n_m; i++)
		marker(c, &p->m[i], top + (p->m[i].row + 0.5) * CHART_ROW_H);
}

static void lane_bg(struct chart *c, const struct chart_place *p, int k)
{
	report_printf(c->o, "<rect class=\"%s\" x=\"8\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
		      k % 2 ? "st1" : "st0", p->y, CHART_W - 16, p->h);
}

static void group_head(struct chart *c, int y, const char *title)
{
	report_printf(c->o,
		      "<text class=\"gh\" x=\"14\" y=\"%d\">%s</text><line class=\"gl\" x1=\"8\" "
		      "y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
		      y + 16, title, y + CHART_GROUP_H - 1, CHART_W - 8, y + CHART_GROUP_H - 1);
}

static void legend(struct chart *c)
{
	static const char *const names[] = {"not given", "1 high", "2 medium", "3 low"};
	int x = 14, y = 16;
	report_lit(c->o, "<g class=\"legend\">");
	report_printf(c->o, "<text class=\"lg\" x=\"%d\" y=\"%d\">Severity</text>", x, y + 4);
	x += 62;
	for (int s = 1; s <= 4; s++) {
		int k = s % 4;
		report_printf(
		    c->o,
		    "<circle cx=\"%d\" cy=\"%d\" r=\"5.5\" fill=\"%s\"/><text class=\"lg\" "
		    "x=\"%d\" y=\"%d\">%s</text>",
		    x, y, sev_fill[k], x + 10, y + 4, names[k]);
		x += 96;
	}
	x += 30;
	report_printf(c->o,
		      "<circle cx=\"%d\" cy=\"%d\" r=\"5.5\" fill=\"#6b7785\"/><text class=\"lg\" "
		      "x=\"%d\" y=\"%d\">one signal</text>",
		      x, y, x + 10, y + 4);
	x += 100;
	report_printf(c->o,
		      "<rect x=\"%d\" y=\"%d\" width=\"34\" height=\"10\" rx=\"3\" "
		      "fill=\"#6b7785\"/><text class=\"lg\" x=\"%d\" y=\"%d\">repeated, first to "
		      "last</text>",
		      x - 5, y - 5, x + 36, y + 4);
	x += 190;
	report_printf(c->o,
		      "<rect class=\"mg\" x=\"%d\" y=\"%d\" width=\"24\" height=\"14\" rx=\"4\" "
		      "fill=\"#6b7785\"/><text class=\"lg\" x=\"%d\" y=\"%d\">nearby signals "
		      "merged</text>",
		      x - 5, y - 7, x + 26, y + 4);
	report_lit(c->o, "</g>\n");
}

static void caption(struct chart *c, long step)
{
	char a[REPORT_BUF], b[REPORT_BUF], d[REPORT_BUF];
	double lo = c->lo, hi = c->hi;
	report_lit(c->o, "<figcaption>");
	report_printf(c->o, "Time runs left to right from %s to %s UTC (%s); ", report_utc(a, lo),
		      report_utc_short(b, hi, lo), report_duration(d, hi - lo));
	if (step < 0)
		report_printf(c->o, "a tick every %ld month%s. ", -step, step == -1 ? "" : "s");
	else if (step >= 86400)
		report_printf(c->o, "a tick every %ld day%s. ", step / 86400,
			      step == 86400 ? "" : "s");
	else if (step >= 3600)
		report_printf(c->o, "a tick every %ld hour%s. ", step / 3600,
			      step == 3600 ? "" : "s");
	else
		report_printf(c->o, "a tick every %ld minute%s. ", step / 60,
			      step == 60 ? "" : "s");
	report_lit(c->o, "One lane per ATT&amp;CK tactic in kill-chain order, then one per "
			 "affected host. A dot is one signal, a bar a signal repeated from its "
			 "first to its last time; colour is severity. Point at a marker for its "
			 "details.");
	if (c->merged_lanes)
		report_printf(
		    c->o,
		    " A lane of more than %d signals is cut into %d equal periods and the "
		    "signals of each period are merged into one outlined marker (%zu lane%s: "
		    "%zu signals drawn as %zu markers).",
		    CHART_LANE_MARKS, CHART_LANE_MARKS, c->merged_lanes,
		    c->merged_lanes == 1 ? "" : "s", c->merged_in, c->merged_out);
	if (c->untimed)
		report_printf(c->o, " %zu signal%s without a time %s not drawn.", c->untimed,
			      c->untimed == 1 ? "" : "s", c->untimed == 1 ? "is" : "are");
	if (c->hosts_left)
		report_printf(c->o, " %zu more host%s not drawn (see Affected hosts).",
			      c->hosts_left, c->hosts_left == 1 ? " is" : "s are");
	report_lit(c->o, "</figcaption>\n");
}

void report_chart(struct report_out *o, const json_t *doc)
{
	struct chart c = {.o = o};
	struct chart_ent **g = NULL;
	struct chart_mark *marks = NULL;
	struct chart_place place_of[CHART_TACTIC_LANES + 1 + CHART_HOST_LANES];
	lanes(&c, doc);
	int other = entries(&c, doc);
	if (!c.ent) {
		o->failed = true;
		return;
	}
	if (!domain(&c, doc))
		goto out;
	/* the entries twice: by tactic lane, then those of a drawn host by host */
	g = malloc(2 * (c.n ? c.n : 1) * sizeof(*g));
	marks = malloc(2 * (c.n ? c.n : 1) * sizeof(*marks));
	if (!g || !marks) {
		o->failed = true;
		goto out;
	}
	size_t ng = 0, nh = 0;
	for (size_t i = 0; i < c.n; i++)
		g[ng++] = &c.ent[i];
	qsort(g, ng, sizeof(*g), by_lane);
	for (size_t i = 0; i < c.n; i++)
		if (c.ent[i].host >= 0)
			g[ng + nh++] = &c.ent[i];
	qsort(g + ng, nh, sizeof(*g), by_host);

	int n_lanes = c.n_lanes + (other >= 0), n_all = n_lanes + c.n_hosts;
	int lanes_top = CHART_LEGEND_H + CHART_AXIS_H, y = lanes_top + CHART_GROUP_H;
	int hosts_top = 0;
	size_t gi = 0, used = 0;
	for (int k = 0; k < n_all; k++) {
		struct chart_place *p = &place_of[k];
		bool host = k >= n_lanes;
		if (k == n_lanes) {
			y += 10;
			hosts_top = y;
			y += CHART_GROUP_H;
		}
		size_t s = gi;
		while (gi < ng + nh && (host ? gi >= ng && g[gi]->host == k - n_lanes
					     : gi < ng && g[gi]->lane == k))
			gi++;
		p->m = marks + used;
		place(&c, g + s, gi - s, p);
		used += p->n_m;
		p->y = y;
		y += p->h;
	}
	int bottom = y, height = bottom + 12;
	report_printf(o,
		      "<figure class=\"chart\">\n<svg viewBox=\"0 0 %d %d\" width=\"100%%\" "
		      "role=\"img\" aria-label=\"Timeline chart: signals by ATT&amp;CK tactic and "
		      "host over time\">\n",
		      CHART_W, height);
	legend(&c);
	group_head(&c, lanes_top, "ATT&amp;CK TACTIC");
	if (c.n_hosts)
		group_head(&c, hosts_top, "AFFECTED HOST");
	for (int k = 0; k < n_all; k++)
		lane_bg(&c, &place_of[k], k < n_lanes ? k : k - n_lanes);
	long step = axis(&c, bottom);

	for (int k = 0; k < n_lanes; k++) {
		const struct chart_place *p = &place_of[k];
		report_lit(o, k == other ? "<g class=\"lane-other\">\n" : "<g class=\"lane\">\n");
		label(&c, p->y + p->h / 2 + 4, c.lane[k].id, c.lane[k].name,
		      "No ATT&amp;CK tactic");
		draw_marks(&c, p);
		report_lit(o, "</g>\n");
	}
	const json_t *hosts = report_arr(doc, "hosts");
	for (int k = 0; k < c.n_hosts; k++) {
		const struct chart_place *p = &place_of[n_lanes + k];
		report_lit(o, "<g class=\"hlane\">\n");
		const json_t *h = NULL, *x;
		size_t i;
		json_array_foreach(hosts, i, x)
			if (!h && report_str(x, "ip") && !strcmp(report_str(x, "ip"), c.host[k]))
				h = x;
		label(&c, p->y + p->h / 2 + 4, NULL, c.host[k], "");
		double f, l;
		if (report_time(h, "first_seen", &f) && report_time(h, "last_seen", &l) && l >= f) {
			report_printf(o,
				      "<rect class=\"hs\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				      "height=\"%d\"><title>",
				      xpos(&c, f), p->y + 3, fmax(xpos(&c, l) - xpos(&c, f), 2),
				      p->h - 6);
			report_textn(o, c.host[k], REPORT_LABEL_MAX);
			report_lit(o, " active ");
			span_words(&c, f, l);
			report_lit(o, "</title></rect>\n");
		}
		draw_marks(&c, p);
		report_lit(o, "</g>\n");
	}
	report_lit(o, "</svg>\n");
	caption(&c, step);
	report_lit(o, "</figure>\n");
out:
	free(marks);
	free(g);
	free(c.ent);
}
