/* screen_help: generated from the key-binding table and the columns of
 * each screen, so it is always true. */
#include "config.h"
#include "keys.h"
#include "screen.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The help page fits the narrowest terminal the view runs in (80). */
#define HELP_WIDTH 78

static void push(struct cw_view *v, const char *text)
{
	struct cw_vrow *r = cw_view_push_row(v, CW_VROW_TEXT);

	r->text = cw_arena_strdup(&v->strings, text);
}

/* One help entry: "  name      text", the text wrapped at HELP_WIDTH and
 * continued under itself. */
static void entry(struct cw_view *v, int name_width, const char *name, const char *text)
{
	int indent = 2 + name_width + 1, room = HELP_WIDTH - indent;
	const char *p = text;
	char buf[256];
	bool first = true;

	do {
		int len = (int)strlen(p), cut = len;

		if (len > room) {
			for (cut = room; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = room;
		}
		snprintf(buf, sizeof(buf), "  %-*s %.*s", name_width, first ? name : "", cut, p);
		push(v, buf);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	} while (*p);
}

static void line(struct cw_view *v, const char *text)
{
	push(v, text);
}

static void columns(struct cw_view *v, const struct cw_screen *s)
{
	size_t i;

	char title[64];

	snprintf(title, sizeof(title), "%s screen columns:", s->name);
	line(v, title);
	for (i = 0; i < s->ncols; i++)
		entry(v, 10, s->cols[i].title, s->cols[i].help);
	line(v, "");
}

/* The keys that do act on this page, named once each and joined with
 * commas: "Esc, Backspace, Left, q, F1, ?". */
static void keys_for(enum cw_action act, char *list, size_t n)
{
	const struct cw_binding *b;
	int seen[32];
	size_t nb, i, k, nseen = 0;

	list[0] = '\0';
	b = cw_keys_table(&nb);
	for (i = 0; i < nb; i++) {
		const int keys[3] = {b[i].key, b[i].alt, b[i].alt2};

		for (k = 0; k < 3; k++) {
			char name[16];
			size_t j, l = strlen(list);

			if (b[i].action != act || !keys[k] ||
			    cw_keys_lookup(keys[k], CW_SCR_HELP) != act)
				continue;
			for (j = 0; j < nseen && seen[j] != keys[k]; j++)
				;
			if (j < nseen || nseen == CW_ARRAY_LEN(seen))
				continue;
			seen[nseen++] = keys[k];
			cw_keys_name(keys[k], name, sizeof(name));
			snprintf(list + l, n - l, "%s%s", l ? ", " : "", name);
		}
	}
}

/* The last line says how to leave, from what the table does on this page. */
static void leave_line(struct cw_view *v)
{
	char back[128], quit[64], text[256];

	keys_for(CW_ACT_BACK, back, sizeof(back));
	keys_for(CW_ACT_QUIT, quit, sizeof(quit));
	snprintf(text, sizeof(text), "%s: leave this page.  %s: quit.", back, quit);
	line(v, text);
}

static void build(struct cw_view *v)
{
	const struct cw_binding *b;
	size_t n, i;

	b = cw_keys_table(&n);
	line(v, "connwatch " PACKAGE_VERSION ": TCP sockets of every pod and network namespace");
	line(v, "");
	line(v, "Keys:");
	for (i = 0; i < n; i++) {
		char k1[16], k2[16] = "", k3[16] = "", keys[64];

		cw_keys_name(b[i].key, k1, sizeof(k1));
		if (b[i].alt)
			cw_keys_name(b[i].alt, k2, sizeof(k2));
		if (b[i].alt2)
			cw_keys_name(b[i].alt2, k3, sizeof(k3));
		/* Enter, KEY_ENTER and Ctrl-M all read "Enter": name it once. */
		if (strcmp(k2, k1) == 0)
			k2[0] = '\0';
		if (strcmp(k3, k1) == 0 || strcmp(k3, k2) == 0)
			k3[0] = '\0';
		snprintf(keys, sizeof(keys), "%s%s%s%s%s", k1, k2[0] ? " " : "", k2, k3[0] ? " " : "", k3);
		entry(v, 18, keys, b[i].help);
	}
	entry(v, 18, "mouse", "click a row to select it, a column title to sort by it");
	line(v, "");
	line(v, "Counts in a quiet colour are older than a few ticks: the dump budget");
	line(v, "(--budget) rations exact dumps; CHG/s then shows their age.");
	line(v, "The line under the header names the worst finding; f lists them all.");
	line(v, "");
	columns(v, &cw_screen_pods);
	columns(v, &cw_screen_peers);
	columns(v, &cw_screen_sockets);
	columns(v, &cw_screen_pivot);
	columns(v, &cw_screen_pivot_pods);
	columns(v, &cw_screen_node);
	columns(v, &cw_screen_findings);
	leave_line(v);
}

const struct cw_screen cw_screen_help = {
	.name = "help",
	.cols = NULL,
	.ncols = 0,
	.build = build,
	.key = NULL,
	.enter = NULL,
};
