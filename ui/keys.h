/* keys: the one key-binding table. It drives key dispatch, the function-key
 * bar at the bottom and the help screen, so the three cannot disagree. */
#ifndef CW_KEYS_H
#define CW_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "view.h"

enum cw_action {
	CW_ACT_NONE = 0,
	CW_ACT_UP, CW_ACT_DOWN, CW_ACT_PGUP, CW_ACT_PGDN, CW_ACT_HOME, CW_ACT_END,
	CW_ACT_ENTER, CW_ACT_BACK,
	CW_ACT_HELP, CW_ACT_SEARCH, CW_ACT_SEARCH_NEXT, CW_ACT_FILTER, CW_ACT_TREE,
	CW_ACT_SORT_NEXT, CW_ACT_SORT_PREV, CW_ACT_INVERT,
	CW_ACT_SORT_ESTAB, CW_ACT_SORT_TIME_WAIT, CW_ACT_SORT_CLOSE_WAIT, CW_ACT_SORT_TOTAL,
	CW_ACT_PIVOT, CW_ACT_NODE, CW_ACT_FINDINGS,
	CW_ACT_TRANS,
	CW_ACT_PAUSE, CW_ACT_REDRAW, CW_ACT_QUIT,
	CW_ACT_REPLAY_NEXT, CW_ACT_REPLAY_PREV, CW_ACT_REPLAY_FWD, CW_ACT_REPLAY_BACK,
	CW_ACT_REPLAY_GOTO, CW_ACT_BUNDLE,
};

#define CW_ON_ALL ((1u << CW_SCR_COUNT) - 1)
#define CW_ON(s) (1u << (s))

struct cw_binding {
	int key, alt, alt2;       /* curses key codes; 0 for none */
	enum cw_action action;
	unsigned screens;         /* CW_ON(...) mask where it applies */
	const char *fkey;         /* bottom-bar key text, or NULL if not on the bar */
	const char *label;        /* bottom-bar label */
	const char *help;         /* help-screen line */
};

const struct cw_binding *cw_keys_table(size_t *n);
/* Looks a key up for a screen: the first binding in the table that holds
 * the key and applies to the screen wins. CW_ACT_NONE if unbound. */
enum cw_action cw_keys_lookup(int key, enum cw_screen_id scr);
/* Applies a key to the view (typing into search/filter first). Returns
 * the action taken. */
enum cw_action cw_keys_dispatch(struct cw_view *v, int key);
/* "F1", "Up", "q", "Enter"... */
void cw_keys_name(int key, char *buf, size_t n);

#endif
