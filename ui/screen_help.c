/* screen_help: generated from the key-binding table and the columns of
 * each screen, so it is always true. */
#include "config.h"
#include "keys.h"
#include "screen.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void line(struct cw_view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(struct cw_view *v, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	struct cw_vrow *r;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r = cw_view_push_row(v, CW_VROW_TEXT);
	r->text = cw_arena_strdup(&v->strings, buf);
}

static void columns(struct cw_view *v, const struct cw_screen *s)
{
	size_t i;

	line(v, "%s screen columns:", s->name);
	for (i = 0; i < s->ncols; i++)
		line(v, "  %-10s %s", s->cols[i].title, s->cols[i].help);
	line(v, "%s", "");
}

static void build(struct cw_view *v)
{
	const struct cw_binding *b;
	size_t n, i;

	b = cw_keys_table(&n);
	line(v, "connwatch %s: TCP sockets of every pod and network namespace on this node",
	     PACKAGE_VERSION);
	line(v, "%s", "");
	line(v, "%s", "Keys:");
	for (i = 0; i < n; i++) {
		char k1[16], k2[16] = "", k3[16] = "", keys[64];

		cw_keys_name(b[i].key, k1, sizeof(k1));
		if (b[i].alt)
			cw_keys_name(b[i].alt, k2, sizeof(k2));
		if (b[i].alt2)
			cw_keys_name(b[i].alt2, k3, sizeof(k3));
		snprintf(keys, sizeof(keys), "%s%s%s%s%s", k1, k2[0] ? " " : "", k2, k3[0] ? " " : "", k3);
		line(v, "  %-18s %s", keys, b[i].help);
	}
	line(v, "  %-18s %s", "mouse", "click a row to select it, a column title to sort by it");
	line(v, "%s", "");
	line(v, "%s", "Counts in a quiet colour are older than a few ticks: the dump budget");
	line(v, "%s", "(--budget) rations exact dumps; CHG/s then shows their age.");
	line(v, "%s", "");
	columns(v, &cw_screen_pods);
	columns(v, &cw_screen_peers);
	columns(v, &cw_screen_sockets);
	line(v, "%s", "Esc, q or F1 leaves this page.");
}

const struct cw_screen cw_screen_help = {
	.name = "help",
	.cols = NULL,
	.ncols = 0,
	.default_sort = 0,
	.build = build,
	.key = NULL,
	.enter = NULL,
};
