/* term: owns the terminal while curses runs: start, stop, suspend, resume,
 * colour roles, and the crash path. The terminal is restored on quit, on
 * every signal, on cw_fatal() and on a crash (SIGSEGV, SIGABRT, SIGBUS,
 * SIGFPE, SIGILL), after which the signal is re-raised. */
#ifndef CW_TERM_H
#define CW_TERM_H

#include <stdbool.h>
#include <stdio.h>

#include "roles.h"

struct cw_term_cfg {
	bool color;     /* false under --no-color or NO_COLOR */
	bool mouse;
	FILE *out, *in; /* NULL: the process's terminal */
};

/* Starts curses. Returns 0, or -1 with *cause when there is no terminal. */
int cw_term_start(const struct cw_term_cfg *cfg, char **cause);
/* Ends curses; safe to call more than once, and from the crash path. */
void cw_term_stop(void);
bool cw_term_active(void);
void cw_term_suspend(void);  /* SIGTSTP: give the terminal back, then stop */
void cw_term_resume(void);   /* SIGCONT */
/* The curses attributes of a role. */
int cw_term_attr(enum cw_role role);
bool cw_term_utf8(void);

#endif
