/* screen: what each screen is made of. A screen is a table of column
 * descriptors {title, width, priority, align, compare, format} and a row
 * builder. The view sorts and selects with them; the table draws them; the
 * help screen lists them. */
#ifndef CW_SCREEN_H
#define CW_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

#include "roles.h"
#include "view.h"

enum cw_align { CW_ALIGN_LEFT = 0, CW_ALIGN_RIGHT };

/* The longest line a screen's head holds (bytes). */
#define CW_HEAD_LEN 256
#define CW_HEAD_MAX 4

/* Values a count column can show: a state slot (1..11), the total (0), or
 * one of these sums. */
enum {
	CW_SLOT_NONE = -1,
	CW_SLOT_TOTAL = 0,       /* all states: slot 0 of a count or a series */
	CW_SLOT_FIN_WAIT = 100,  /* FIN_WAIT1 + FIN_WAIT2 */
	CW_SLOT_OTHER,           /* all but ESTAB, SYN_SENT, TIME_WAIT, CLOSE_WAIT */
};

struct cw_column {
	const char *title;   /* as shown, and as -s/--sort takes it */
	int width;           /* fixed width; 0 makes it flexible */
	int min_width;       /* flexible columns: the least they get; with cut_middle,
			      * a long value keeps its start and its end */
	int priority;        /* 0 is always shown; higher numbers go first when narrow */
	enum cw_align align;
	bool cut_middle;     /* too long: cut in the middle, not at the end */
	bool desc;           /* sorts largest first by default */
	int slot;            /* count columns: what they count; else CW_SLOT_NONE */
	int (*cmp)(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b);
	/* Writes the cell; may set *role to colour it. */
	void (*fmt)(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		    char *buf, size_t n, enum cw_role *role);
	const char *help;    /* one line for the help screen */
};

/* Columns of this priority and up are dropped to widen the flexible
 * columns to the screen's flex_pref, not only to fit. */
#define CW_PRIO_OPTIONAL 3

struct cw_screen {
	const char *name;
	const struct cw_column *cols;
	size_t ncols;
	const char *default_sort;   /* the title of the column sorted by at first */
	int flex_pref;              /* the width a flexible column should get before
				     * optional columns are shown; 0: its min_width */
	/* Appends this screen's rows for the current snapshot to v (unsorted). */
	void (*build)(struct cw_view *v);
	/* Fills the identity of a row, to keep it selected. */
	void (*key)(const struct cw_vrow *r, struct cw_selkey *k);
	/* Drills down from a row; returns false if there is nowhere to go. */
	bool (*enter)(struct cw_view *v, const struct cw_vrow *r);
	/* Optional: lines of text drawn above the table (node-wide figures);
	 * fills up to max lines of at most width cells, returns how many. */
	size_t (*head)(const struct cw_view *v, char (*lines)[CW_HEAD_LEN], size_t max, int width);
};

const struct cw_screen *cw_screen_get(enum cw_screen_id id);
/* The index of the column with this title (case-insensitive), or -1. */
int cw_screen_column(const struct cw_screen *s, const char *title);

extern const struct cw_screen cw_screen_pods, cw_screen_peers, cw_screen_sockets, cw_screen_help;
extern const struct cw_screen cw_screen_pivot, cw_screen_pivot_pods, cw_screen_node;
extern const struct cw_screen cw_screen_findings;
extern const struct cw_screen cw_screen_trans;

/* Helpers the screens share (view.c). */
struct cw_vrow *cw_view_push_row(struct cw_view *v, enum cw_vrow_kind kind);
bool cw_view_filter_match(const struct cw_view *v, const char *label);
/* Pushes a frame for a screen (sort and selection reset); the caller fills
 * its context and crumb. NULL when the stack is full. */
struct cw_frame *cw_view_push_frame(struct cw_view *v, enum cw_screen_id id);
/* Pushes the sockets screen of a row (its id) toward one peer, with its
 * crumb; NULL when the stack is full. */
struct cw_frame *cw_view_push_sockets(struct cw_view *v, uint64_t pod_id, const struct cw_peer *peer);
/* The pod row a PEERS/SOCKETS frame looks at, or NULL if it vanished. */
const struct cw_ns_row *cw_view_context_row(const struct cw_view *v);
/* Which namespace on this node owns an address: an index of every row's
 * own addresses but self's (0 for none) and hostNetwork pods' (they are
 * the host's); free() it. The finder gives the owner's label, or NULL. */
struct cw_owned;
struct cw_owned *cw_owned_index(const struct cw_snapshot *s, uint64_t self, size_t *n);
const char *cw_owned_find(const struct cw_owned *idx, size_t n, const struct cw_addr *addr);
/* "10.0.0.1:5432", with IPv6 in brackets. */
void cw_fmt_endpoint(const struct cw_addr *a, uint16_t port, char *buf, size_t n);

/* Cell helpers. */
int cw_cmp_u32(uint32_t a, uint32_t b);
int cw_cmp_str(const char *a, const char *b);
/* Count columns (c->slot): the value, its comparison, and its cell, which
 * shows "-" for a row without exact counts and takes the row's role, or the
 * warning role past the slot's threshold. */
uint32_t cw_vrow_value(const struct cw_vrow *r, int slot);
int cw_col_cmp_count(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b);
void cw_col_fmt_count(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role);
/* How a row is drawn when nothing else applies: gone, group, stale or normal. */
enum cw_role cw_vrow_role(const struct cw_view *v, const struct cw_vrow *r);
/* Exact counts older than a few ticks. */
bool cw_vrow_stale(const struct cw_view *v, const struct cw_vrow *r);

/* A severity as one cell ("!", "*", "i"; UTF-8 glyphs when utf8) and the
 * role it is drawn in. */
const char *cw_severity_glyph(enum cw_severity s, bool utf8);
enum cw_role cw_severity_role(enum cw_severity s);
/* The findings screen's detail of the selected finding: up to max lines of
 * at most width cells (not yet sanitised: draw them through cw_fmt_fit),
 * each in a buffer of CW_DETAIL_LINE bytes. Returns how many. */
#define CW_DETAIL_LINE 1024
size_t cw_findings_detail(const struct cw_view *v, int width, char (*lines)[CW_DETAIL_LINE], size_t max);

#endif
