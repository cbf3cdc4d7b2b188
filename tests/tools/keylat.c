/* keylat: measures key-to-redraw latency of the interactive view. It runs
 * connwatch on a pseudo-terminal, waits for the first screen, then presses
 * E and T in turn (sort by ESTAB, by TOTAL) N times and times how long each
 * takes until the new sort arrow (▼) arrives on the terminal: the key was read,
 * acted on and drawn. Prints one latency in microseconds per line.
 *   keylat [-n N] [-w MS_BETWEEN] -- connwatch ARGS... */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Reads what is available within ms; returns 1 if needle was seen. */
static int read_until(int fd, const char *needle, const char *needle2, int ms, char *tail, size_t *tl)
{
	long long end = now_us() + (long long)ms * 1000;
	char buf[65536];

	for (;;) {
		long long left = end - now_us();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&p, 1, (int)(left / 1000) + 1) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			return -1;
		/* keep a few bytes of the previous read, for needles split across reads */
		{
			char joined[sizeof(buf) + 16];
			size_t j = *tl;

			memcpy(joined, tail, j);
			memcpy(joined + j, buf, (size_t)n);
			joined[j + (size_t)n] = '\0';
			if ((needle && memmem(joined, j + (size_t)n, needle, strlen(needle))) ||
			    (needle2 && memmem(joined, j + (size_t)n, needle2, strlen(needle2))))
				return 1;
			*tl = j + (size_t)n < 8 ? j + (size_t)n : 8;
			memcpy(tail, joined + j + (size_t)n - *tl, *tl);
		}
	}
}

int main(int argc, char **argv)
{
	int n = 30, gap_ms = 300, opt, fd, i, status;
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	char tail[16];
	size_t tl = 0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		if (opt == 'n')
			n = atoi(optarg);
		else if (opt == 'w')
			gap_ms = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: keylat [-n N] [-w MS] -- COMMAND ARGS...\n");
		return 2;
	}
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	/* The first screen: the table header is drawn once a snapshot is in. */
	if (read_until(fd, "NAME", NULL, 120000, tail, &tl) != 1) {
		fprintf(stderr, "keylat: no first screen\n");
		kill(pid, SIGTERM);
		return 1;
	}
	read_until(fd, NULL, NULL, 1500, tail, &tl); /* let it settle */
	for (i = 0; i < n; i++) {
		long long t0;
		int r;

		tl = 0;
		t0 = now_us();
		if (write(fd, i % 2 ? "T" : "E", 1) != 1)
			break;
		r = read_until(fd, "\xe2\x96\xbc", "\xe2\x96\xb2", 5000, tail, &tl);
		if (r != 1) {
			printf("timeout\n");
		} else {
			printf("%lld\n", now_us() - t0);
		}
		fflush(stdout);
		read_until(fd, NULL, NULL, gap_ms, tail, &tl);
	}
	if (write(fd, "q", 1) != 1)
		kill(pid, SIGTERM);
	read_until(fd, NULL, NULL, 500, tail, &tl);
	waitpid(pid, &status, 0);
	return 0;
}
