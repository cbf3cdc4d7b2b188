/* view: the state of the interactive view, without curses: the screen
 * stack (pods -> peers -> sockets, the peer pivot -> its pods -> sockets,
 * the node screen, the findings, and help), sort, filter, search, tree
 * grouping, pause and selection. It turns the current snapshot into the
 * rows of the current screen. Key actions change only this state; drawing
 * reads it. What the next tick should collect goes out as struct cw_wants. */
#ifndef CW_VIEW_H
#define CW_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

enum cw_screen_id {
	CW_SCR_PODS = 0,
	CW_SCR_PEERS,
	CW_SCR_SOCKETS,
	CW_SCR_NODE,     /* the node's limits and each namespace's settings */
	CW_SCR_HELP,
	CW_SCR_PIVOT,        /* every remote endpoint, across all pods */
	CW_SCR_PIVOT_PODS,   /* the pods that face one endpoint */
	CW_SCR_FINDINGS,     /* what the findings stage recognised */
	CW_SCR_TRANS,        /* TCP state transitions per second, by pod and process */
	CW_SCR_COUNT
};

enum cw_vrow_kind {
	CW_VROW_NS,      /* a namespace (pods screen) */
	CW_VROW_GROUP,   /* a workload group (tree mode) */
	CW_VROW_GONE,    /* a namespace that vanished moments ago */
	CW_VROW_PEER,
	CW_VROW_SOCK,
	CW_VROW_TEXT,    /* a line of the help screen */
	CW_VROW_FINDING,
	CW_VROW_TRANS,   /* a (pod, new state, process) rate (transitions screen) */
};

/* One displayed row. Pointers borrow from the view's snapshot. */
struct cw_vrow {
	enum cw_vrow_kind kind;
	int depth;                          /* indent in tree mode */
	bool last;                          /* tree mode: the last row of its group */
	const struct cw_ns_row *ns;         /* NS, GONE; PEER on the pivot: the namespace
					     * a loopback endpoint belongs to */
	const struct cw_peer *peer;         /* PEER */
	const struct cw_sock *sock;         /* SOCK */
	const struct cw_owner *owner;       /* SOCK */
	const struct cw_finding *finding;   /* FINDING; NS, GONE: its worst; GROUP: its pods' worst */
	const struct cw_transition *trans;  /* TRANS (ns: its row) */
	const char *text;                   /* GROUP label, GONE label, TEXT */
	struct cw_tcpcount cnt;             /* NS, PEER; GROUP sums; GONE last counts */
	bool has_cnt;                       /* NS: false until its first exact dump */
	size_t members;                     /* GROUP: pods in it; NS on the node screen:
					       its settings that differ from the node's */
	bool fresh;                         /* NS: appeared moments ago */
	bool partial;                       /* PEER on the pivot: a pod whose peer list is
					     * cut short may face it too (counts are at least) */
};

/* Identifies the selected row across refreshes and re-sorts. A finding is
 * its row (inode), its rule (cookie) and its peer (addr, port, dir). */
struct cw_selkey {
	enum cw_vrow_kind kind;
	uint64_t inode, cookie;
	struct cw_addr addr;
	uint16_t port;
	uint8_t dir;
	char group[160];
};

struct cw_frame {
	enum cw_screen_id id;
	int sort;                /* column index in the screen's table */
	bool invert;
	size_t sel, top;
	struct cw_selkey key;
	/* context of this screen */
	uint64_t pod_inode;      /* PEERS, SOCKETS: the row id (cw_ns_row.id);
				  * PIVOT_PODS: a loopback endpoint's netns inode, else 0 */
	struct cw_peer peer;     /* SOCKETS, PIVOT_PODS: the peer drilled into */
	char crumb[200];         /* breadcrumb text of this level */
	char filter[128];        /* label filter; a leading '!' negates */
};

enum cw_input { CW_INPUT_NONE = 0, CW_INPUT_SEARCH, CW_INPUT_FILTER, CW_INPUT_GOTO };

struct cw_view_cfg {
	unsigned warn_close_wait, warn_time_wait, warn_syn_sent;
	double delay_s;
	bool utf8;
	const char *bundle_dir;  /* --bundle: where e writes */
};

struct cw_view {
	struct cw_view_cfg cfg;
	struct cw_snapshot *snap;     /* a reference */
	/* pods -> pivot -> its pods -> sockets, with help on top, fits. */
	struct cw_frame stack[8];
	int depth;                    /* index of the top frame */
	struct cw_vrow *rows;
	size_t nrows, caprows;
	char search[128];
	enum cw_input input;
	bool tree, paused, quit;
	int64_t started_ms;           /* time of the first snapshot: rows then are not "new" */
	struct cw_arena strings;      /* row texts of the current build */
	int page;                     /* rows per page, set by the drawing code */
	int cols;                     /* the table's width, set by the drawing code; 0 before */
	char msg[200];                /* one-line status message, until the next key */
	char note[200];               /* what the screen says about itself this build */
	bool dirty;
	/* --replay: the view steers the recording (the snapshots say they come
	 * from one); pause holds the place. See view_replay.c. */
	bool replay;
	size_t replay_target;         /* the line to show next */
	int64_t replay_seek_ms;       /* a recorded time to go to; 0: none */
	uint64_t replay_gen;          /* bumped by each key that moves: older answers do not steer */
	char goto_text[40];           /* the time being typed after 'b' */
};

void cw_view_init(struct cw_view *v, const struct cw_view_cfg *cfg);
void cw_view_done(struct cw_view *v);
/* Takes a new snapshot (adds a reference) unless paused; rebuilds rows.
 * History (rates, trends, vanished rows) comes in the snapshot, so a pause
 * only freezes what is shown. */
void cw_view_set_snapshot(struct cw_view *v, struct cw_snapshot *s);
/* Rebuilds the current screen's rows and keeps the selection on its row. */
void cw_view_rebuild(struct cw_view *v);
struct cw_frame *cw_view_top(struct cw_view *v);
const struct cw_vrow *cw_view_selected(const struct cw_view *v);
/* The text being typed for search or filter, or NULL. */
const char *cw_view_input_text(const struct cw_view *v);
void cw_view_input_start(struct cw_view *v, enum cw_input mode);
void cw_view_input_char(struct cw_view *v, const char *utf8);
void cw_view_input_erase(struct cw_view *v);
void cw_view_input_accept(struct cw_view *v);
void cw_view_input_cancel(struct cw_view *v);
/* What the next tick should collect for this view. */
void cw_view_wants(const struct cw_view *v, struct cw_wants *w);

/* Actions, called by the key table. */
void cw_view_move(struct cw_view *v, long delta);   /* rows; LONG_MIN/MAX for ends */
void cw_view_select(struct cw_view *v, size_t row);
void cw_view_enter(struct cw_view *v);
void cw_view_back(struct cw_view *v);
void cw_view_help(struct cw_view *v);
/* Opens a top-level screen: back to its frame if it is on the stack, else
 * pushed on top, so Esc returns to where it was opened from. */
void cw_view_open(struct cw_view *v, enum cw_screen_id id, const char *crumb);
void cw_view_sort_step(struct cw_view *v, int delta);
void cw_view_sort_invert(struct cw_view *v);
/* Sorts by a column title (case-insensitive); false if the screen has none. */
bool cw_view_sort_by(struct cw_view *v, const char *title);
void cw_view_toggle_tree(struct cw_view *v);
void cw_view_toggle_pause(struct cw_view *v);
/* Writes an incident bundle for the row in view (the selected pod, or the
 * pod whose peers or sockets are shown); the status line names the files. */
void cw_view_bundle(struct cw_view *v);
/* Replay: steps lines (+1 the next tick, -1 the previous), jumps by recorded
 * time, or goes to a typed time ("HH:MM:SS" on the shown day, or
 * "YYYY-MM-DDTHH:MM:SS" in UTC); outside a replay they say so. */
void cw_view_replay_step(struct cw_view *v, long lines);
void cw_view_replay_jump(struct cw_view *v, int64_t delta_ms);
bool cw_view_replay_goto(struct cw_view *v, const char *text);
/* Replay: takes what a new snapshot says about its place (from set_snapshot). */
void cw_view_replay_took(struct cw_view *v, const struct cw_snapshot *s);
void cw_view_set_filter(struct cw_view *v, const char *text);
/* Moves to the next row (after the selection, wrapping) matching search. */
bool cw_view_search_next(struct cw_view *v, bool include_current);

/* The text a row is searched and filtered by. */
const char *cw_vrow_label(const struct cw_vrow *r);
/* The breadcrumb of the whole stack: "node › team-a/web › 10.0.0.1:5432". */
void cw_view_breadcrumb(const struct cw_view *v, char *buf, size_t n);

#endif
