/* keys: the binding table and dispatch. */
#include "config.h"
#include "keys.h"
#include "util.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define PODS CW_ON(CW_SCR_PODS)
#define TABLES (CW_ON(CW_SCR_PODS) | CW_ON(CW_SCR_PEERS) | CW_ON(CW_SCR_SOCKETS) | \
		CW_ON(CW_SCR_PIVOT) | CW_ON(CW_SCR_PIVOT_PODS) | CW_ON(CW_SCR_NODE) | \
		CW_ON(CW_SCR_FINDINGS) | CW_ON(CW_SCR_TRANS))
#define KEY_ESC 27
#define KEY_CTRL_L 12

static const struct cw_binding table[] = {
	{KEY_F(1), '?', 'h', CW_ACT_HELP, TABLES, "F1", "Help", "this help"},
	{KEY_F(3), '/', 0, CW_ACT_SEARCH, TABLES, "F3", "Search", "search labels as you type"},
	{'n', 0, 0, CW_ACT_SEARCH_NEXT, TABLES, NULL, NULL, "next search match"},
	{KEY_F(4), '\\', 0, CW_ACT_FILTER, TABLES, "F4", "Filter",
	 "show only rows whose label contains the text; a leading ! shows the others"},
	{KEY_F(5), 't', 0, CW_ACT_TREE, PODS, "F5", "Tree", "group pods by workload, with sums"},
	{KEY_F(6), '>', '.', CW_ACT_SORT_NEXT, TABLES, "F6", "SortBy", "sort by the next column"},
	{'<', ',', 0, CW_ACT_SORT_PREV, TABLES, NULL, NULL, "sort by the previous column"},
	{'I', 0, 0, CW_ACT_INVERT, TABLES, NULL, NULL, "invert the sort order"},
	{'E', 0, 0, CW_ACT_SORT_ESTAB, TABLES, NULL, NULL, "sort by ESTAB"},
	{'W', 0, 0, CW_ACT_SORT_TIME_WAIT, TABLES, NULL, NULL, "sort by TIME_WAIT"},
	{'C', 0, 0, CW_ACT_SORT_CLOSE_WAIT, TABLES, NULL, NULL, "sort by CLOSE_WAIT"},
	{'T', 0, 0, CW_ACT_SORT_TOTAL, TABLES, NULL, NULL, "sort by TOTAL"},
	{'P', 0, 0, CW_ACT_PIVOT, TABLES, NULL, NULL,
	 "peer pivot: every remote endpoint across all pods, busiest first"},
	{'N', 0, 0, CW_ACT_NODE, TABLES, NULL, NULL,
	 "the node screen: file handles and conntrack against their limits, sysctls per pod"},
	{'f', 0, 0, CW_ACT_FINDINGS, TABLES, NULL, NULL,
	 "findings: what connwatch recognised, worst first; Enter goes to the sockets, "
	 "peers or node screen behind one"},
	{'X', 0, 0, CW_ACT_TRANS, TABLES, NULL, NULL,
	 "state transitions per second, by pod and process (needs state events)"},
	{'Z', ' ', 0, CW_ACT_PAUSE, CW_ON_ALL, "Space", "Pause",
	 "pause or resume updates (in a replay: hold the place, or play on)"},
	{'e', 0, 0, CW_ACT_BUNDLE, TABLES, NULL, NULL,
	 "write an incident bundle of the pod in view (JSON and a Markdown summary; --bundle DIR)"},
	{']', 0, 0, CW_ACT_REPLAY_NEXT, CW_ON_ALL, NULL, NULL, "replay: one tick forward (and pause)"},
	{'[', 0, 0, CW_ACT_REPLAY_PREV, CW_ON_ALL, NULL, NULL, "replay: one tick back (and pause)"},
	{'}', 0, 0, CW_ACT_REPLAY_FWD, CW_ON_ALL, NULL, NULL, "replay: one minute forward"},
	{'{', 0, 0, CW_ACT_REPLAY_BACK, CW_ON_ALL, NULL, NULL, "replay: one minute back"},
	{'b', 0, 0, CW_ACT_REPLAY_GOTO, CW_ON_ALL, NULL, NULL,
	 "replay: go to a time (HH:MM:SS on the day shown, or YYYY-MM-DDTHH:MM:SS UTC)"},
	{'\n', KEY_ENTER, '\r', CW_ACT_ENTER, TABLES, "Enter", "Drill",
	 "drill down: pod -> its peers -> the sockets to a peer; on the pivot, "
	 "endpoint -> its pods -> a pod's sockets to it; finding -> what it is about"},
	{KEY_ESC, KEY_BACKSPACE, KEY_LEFT, CW_ACT_BACK, CW_ON_ALL, "Esc", "Back",
	 "go back up"},
	{KEY_UP, 'k', 0, CW_ACT_UP, CW_ON_ALL, NULL, NULL, "move up"},
	{KEY_DOWN, 'j', 0, CW_ACT_DOWN, CW_ON_ALL, NULL, NULL, "move down"},
	{KEY_PPAGE, 0, 0, CW_ACT_PGUP, CW_ON_ALL, NULL, NULL, "page up"},
	{KEY_NPAGE, 0, 0, CW_ACT_PGDN, CW_ON_ALL, NULL, NULL, "page down"},
	{KEY_HOME, 'g', 0, CW_ACT_HOME, CW_ON_ALL, NULL, NULL, "first row"},
	{KEY_END, 'G', 0, CW_ACT_END, CW_ON_ALL, NULL, NULL, "last row"},
	{KEY_CTRL_L, 0, 0, CW_ACT_REDRAW, CW_ON_ALL, NULL, NULL, "redraw the screen"},
	/* As in htop, the help page is left with the keys that open it and
	 * with q; only F10 quits from there. Before the quit binding, since
	 * the first match wins. */
	{'q', KEY_F(1), '?', CW_ACT_BACK, CW_ON(CW_SCR_HELP), NULL, NULL,
	 "on the help page: leave it, as Esc does"},
	{KEY_F(10), 'q', 0, CW_ACT_QUIT, CW_ON_ALL, "F10", "Quit", "quit (from the help page, F10 only)"},
};

const struct cw_binding *cw_keys_table(size_t *n)
{
	*n = CW_ARRAY_LEN(table);
	return table;
}

enum cw_action cw_keys_lookup(int key, enum cw_screen_id scr)
{
	size_t i;

	if (key == 0)
		return CW_ACT_NONE;
	for (i = 0; i < CW_ARRAY_LEN(table); i++)
		if ((table[i].screens & CW_ON(scr)) &&
		    (table[i].key == key || table[i].alt == key || table[i].alt2 == key))
			return table[i].action;
	return CW_ACT_NONE;
}

void cw_keys_name(int key, char *buf, size_t n)
{
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, n, "F%d", key - KEY_F(0));
	else if (key == KEY_UP)
		snprintf(buf, n, "Up");
	else if (key == KEY_DOWN)
		snprintf(buf, n, "Down");
	else if (key == KEY_LEFT)
		snprintf(buf, n, "Left");
	else if (key == KEY_PPAGE)
		snprintf(buf, n, "PgUp");
	else if (key == KEY_NPAGE)
		snprintf(buf, n, "PgDn");
	else if (key == KEY_HOME)
		snprintf(buf, n, "Home");
	else if (key == KEY_END)
		snprintf(buf, n, "End");
	else if (key == KEY_BACKSPACE)
		snprintf(buf, n, "Backspace");
	else if (key == KEY_ENTER || key == '\n' || key == '\r')
		snprintf(buf, n, "Enter");
	else if (key == KEY_ESC)
		snprintf(buf, n, "Esc");
	else if (key == ' ')
		snprintf(buf, n, "Space");
	else if (key == KEY_CTRL_L)
		snprintf(buf, n, "Ctrl-L");
	else if (key > 32 && key < 127)
		snprintf(buf, n, "%c", key);
	else
		snprintf(buf, n, "?");
}

/* Typing into the search or filter line. */
static bool input_key(struct cw_view *v, int key)
{
	char s[2] = {0, 0};

	if (v->input == CW_INPUT_NONE)
		return false;
	if (key == KEY_ESC) {
		cw_view_input_cancel(v);
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		cw_view_input_accept(v);
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		cw_view_input_erase(v);
	} else if (key == KEY_F(3) && v->input == CW_INPUT_SEARCH) {
		cw_view_search_next(v, false);
	} else if (key >= 32 && key < 127) {
		s[0] = (char)key;
		cw_view_input_char(v, s);
	} else if (key >= KEY_MIN) {
		/* Arrows and such end typing and then act as usual. */
		cw_view_input_accept(v);
		return false;
	}
	return true;
}

enum cw_action cw_keys_dispatch(struct cw_view *v, int key)
{
	struct cw_frame *f = cw_view_top(v);
	enum cw_action a;
	long page = v->page > 1 ? v->page - 1 : 1;

	if (input_key(v, key))
		return CW_ACT_NONE;
	a = cw_keys_lookup(key, f->id);
	if (a != CW_ACT_NONE)
		v->msg[0] = '\0';
	switch (a) {
	case CW_ACT_UP: cw_view_move(v, -1); break;
	case CW_ACT_DOWN: cw_view_move(v, 1); break;
	case CW_ACT_PGUP: cw_view_move(v, -page); break;
	case CW_ACT_PGDN: cw_view_move(v, page); break;
	case CW_ACT_HOME: cw_view_move(v, LONG_MIN); break;
	case CW_ACT_END: cw_view_move(v, LONG_MAX); break;
	case CW_ACT_ENTER: cw_view_enter(v); break;
	case CW_ACT_BACK: cw_view_back(v); break;
	case CW_ACT_HELP: cw_view_help(v); break;
	case CW_ACT_NODE: cw_view_open(v, CW_SCR_NODE, "limits and settings"); break;
	case CW_ACT_SEARCH: cw_view_input_start(v, CW_INPUT_SEARCH); break;
	case CW_ACT_SEARCH_NEXT:
		if (!cw_view_search_next(v, false) && v->search[0])
			snprintf(v->msg, sizeof(v->msg), "no more matches for %s", v->search);
		break;
	case CW_ACT_FILTER: cw_view_input_start(v, CW_INPUT_FILTER); break;
	case CW_ACT_TREE: cw_view_toggle_tree(v); break;
	case CW_ACT_SORT_NEXT: cw_view_sort_step(v, 1); break;
	case CW_ACT_SORT_PREV: cw_view_sort_step(v, -1); break;
	case CW_ACT_INVERT: cw_view_sort_invert(v); break;
	case CW_ACT_SORT_ESTAB: cw_view_sort_by(v, "ESTAB"); break;
	case CW_ACT_SORT_TIME_WAIT: cw_view_sort_by(v, "TIME_WAIT"); break;
	case CW_ACT_SORT_CLOSE_WAIT: cw_view_sort_by(v, "CLOSE_WAIT"); break;
	case CW_ACT_SORT_TOTAL: cw_view_sort_by(v, "TOTAL"); break;
	case CW_ACT_PIVOT: cw_view_open(v, CW_SCR_PIVOT, "endpoints"); break;
	case CW_ACT_FINDINGS: cw_view_open(v, CW_SCR_FINDINGS, "findings"); break;
	case CW_ACT_TRANS: cw_view_open(v, CW_SCR_TRANS, "transitions"); break;
	case CW_ACT_PAUSE: cw_view_toggle_pause(v); break;
	case CW_ACT_BUNDLE: cw_view_bundle(v); break;
	case CW_ACT_REPLAY_NEXT: cw_view_replay_step(v, 1); break;
	case CW_ACT_REPLAY_PREV: cw_view_replay_step(v, -1); break;
	case CW_ACT_REPLAY_FWD: cw_view_replay_jump(v, 60000); break;
	case CW_ACT_REPLAY_BACK: cw_view_replay_jump(v, -60000); break;
	case CW_ACT_REPLAY_GOTO: cw_view_input_start(v, CW_INPUT_GOTO); break;
	case CW_ACT_REDRAW: v->dirty = true; break;
	case CW_ACT_QUIT: v->quit = true; break;
	case CW_ACT_NONE: break;
	}
	return a;
}
