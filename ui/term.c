/* term: curses lifecycle and colours. */
#include "config.h"
#include "term.h"
#include "util.h"

#include <curses.h>
#include <term.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The terminal is one per process, and the crash and fatal paths must reach
 * it from anywhere: this is the module's only state, kept file-local. */
static struct {
	bool active, color;
	SCREEN *screen;
	int attrs[CW_ROLE_COUNT];
} term;

bool cw_term_active(void)
{
	return term.active;
}

bool cw_term_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && strcmp(cs, "UTF-8") == 0;
}

/* Colour pairs are numbered by role. Roles without a pair use attributes. */
static void init_roles(bool color)
{
	struct spec {
		enum cw_role role;
		short fg, bg;
		int attr;   /* with colour */
		int mono;   /* without */
	};
	static const struct spec specs[] = {
		{CW_ROLE_NORMAL, -1, -1, A_NORMAL, A_NORMAL},
		{CW_ROLE_HEADER, COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE},
		{CW_ROLE_HEADER_SORT, COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD | A_UNDERLINE},
		{CW_ROLE_SELECTED, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
		{CW_ROLE_NEW, COLOR_GREEN, -1, A_BOLD, A_BOLD},
		{CW_ROLE_GONE, COLOR_RED, -1, A_DIM, A_DIM},
		{CW_ROLE_STALE, COLOR_BLUE, -1, A_BOLD, A_DIM},
		{CW_ROLE_WARN, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
		{CW_ROLE_GROUP, COLOR_CYAN, -1, A_BOLD, A_BOLD},
		{CW_ROLE_TITLE, COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
		{CW_ROLE_FKEY, COLOR_WHITE, COLOR_BLACK, A_BOLD, A_BOLD},
		{CW_ROLE_FKEY_LABEL, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
		{CW_ROLE_METER_LABEL, COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
		{CW_ROLE_METER, -1, -1, A_BOLD, A_BOLD},
		{CW_ROLE_BANNER, COLOR_YELLOW, -1, A_BOLD, A_BOLD},
		{CW_ROLE_SPARK, COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
		{CW_ROLE_DIM, -1, -1, A_DIM, A_DIM},
		/* Without colour the glyphs tell severities apart; crit stands out. */
		{CW_ROLE_SEV_CRIT, COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
		{CW_ROLE_SEV_WARN, COLOR_YELLOW, -1, A_BOLD, A_BOLD},
		{CW_ROLE_SEV_INFO, COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
	};
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(specs); i++) {
		const struct spec *s = &specs[i];

		if (!color) {
			term.attrs[s->role] = s->mono;
			continue;
		}
		if (s->fg == -1 && s->bg == -1) {
			term.attrs[s->role] = s->attr;
			continue;
		}
		init_pair((short)s->role, s->fg, s->bg);
		term.attrs[s->role] = (int)COLOR_PAIR(s->role) | s->attr;
	}
}

int cw_term_attr(enum cw_role role)
{
	return (unsigned)role < CW_ROLE_COUNT ? term.attrs[role] : (int)A_NORMAL;
}

static void on_crash(int sig)
{
	/* Not async-signal-safe, as in htop: the process is dying anyway, and a
	 * restored terminal is worth the risk. */
	cw_term_stop();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_crash_handlers(void)
{
	static const int sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < CW_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Refuses a terminal the view cannot draw on, before curses takes it.
 * curses starts happily on TERM=dumb, which has no cursor addressing
 * ("cup"): it prints one frame as lines and every later frame goes
 * nowhere, so the view would look frozen. An unknown TERM fails in
 * newterm() without saying why. */
static int check_terminal(FILE *out, char **cause)
{
	const char *name = getenv("TERM");
	char *cup;
	int err = 0;

	if (!name || !name[0])
		return cw_cause(cause, -1, "TERM is not set: cannot run the live view; use --json");
	/* With err given, setupterm() prints nothing; it loads the entry into
	 * a TERMINAL of its own, freed below, and newterm() loads its own. */
	if (setupterm(name, fileno(out), &err) != OK) {
		if (err < 0)
			return cw_cause(cause, -1, "no terminfo database found for terminal \"%s\": "
					"cannot run the live view; use --json", name);
		return cw_cause(cause, -1, "terminal \"%s\" is unknown to terminfo: "
				"cannot run the live view; use --json", name);
	}
	cup = tigetstr("cup");
	del_curterm(cur_term);
	if (!cup || cup == (char *)-1)
		return cw_cause(cause, -1, "terminal \"%s\" cannot run the live view "
				"(no cursor addressing); use --json", name);
	return 0;
}

int cw_term_start(const struct cw_term_cfg *cfg, char **cause)
{
	FILE *out = cfg->out ? cfg->out : stdout, *in = cfg->in ? cfg->in : stdin;

	if (!cfg->out && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return cw_cause(cause, -1, "the interactive view needs a terminal (use --json)");
	if (check_terminal(out, cause) < 0)
		return -1;
	term.screen = newterm(NULL, out, in);
	if (!term.screen)
		return cw_cause(cause, -1, "cannot start curses for TERM=%s",
				getenv("TERM") ? getenv("TERM") : "(unset)");
	set_term(term.screen);
	term.active = true;
	cw_set_fatal_hook(cw_term_stop);
	install_crash_handlers();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25); /* Esc feels instant */
	curs_set(0);
	term.color = cfg->color && has_colors();
	if (term.color) {
		start_color();
		use_default_colors();
	}
	init_roles(term.color);
	if (cfg->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	return 0;
}

void cw_term_stop(void)
{
	if (!term.active)
		return;
	term.active = false;
	curs_set(1);
	endwin();
	fflush(stdout);
}

void cw_term_suspend(void)
{
	if (!term.active)
		return;
	def_prog_mode();
	endwin();
	fflush(stdout);
}

void cw_term_resume(void)
{
	if (!term.active)
		return;
	reset_prog_mode();
	clearok(curscr, TRUE);
}
