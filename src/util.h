/* util: allocation that never returns NULL, the fatal-error path, string
 * sanitising, clocks and small file helpers shared by every module. */
#ifndef CW_UTIL_H
#define CW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CW_XSTR(x) #x
#define CW_STR(x) CW_XSTR(x)

void *cw_xmalloc(size_t n);
void *cw_xcalloc(size_t n, size_t size);
void *cw_xrealloc(void *p, size_t n);
/* Grows *p (of *cap elements of size) so that it can hold need elements. */
void cw_xgrow(void **p, size_t *cap, size_t need, size_t size);
char *cw_xstrdup(const char *s);
char *cw_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A hook run by cw_fatal() before it prints, so the terminal can be restored. */
void cw_set_fatal_hook(void (*hook)(void));
_Noreturn void cw_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sets *cause (if cause is non-NULL) to a newly allocated message. Returns err. */
int cw_cause(char **cause, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies src into dst (size n), replacing control bytes, escape sequences and
 * invalid UTF-8 with '?', so text from outside can never drive the terminal. */
void cw_sanitize(char *dst, size_t n, const char *src);
/* Same, into a new string. */
char *cw_sanitize_dup(const char *src);
/* The length to cut s (len bytes) to so that it fits max bytes without
 * splitting a UTF-8 character: len if it fits, else max backed off to the
 * start of the character that straddles it. Cut outside strings with it,
 * never with a bare "%.*s" or a byte count. */
size_t cw_utf8_truncate(const char *s, size_t len, size_t max);

/* a / b rounded towards minus infinity (b > 0): for times before 1970. */
static inline int64_t cw_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

int64_t cw_now_ms(void);          /* CLOCK_REALTIME in ms */
int64_t cw_mono_ns(void);         /* CLOCK_MONOTONIC in ns */
int64_t cw_thread_cpu_ns(void);   /* CLOCK_THREAD_CPUTIME_ID in ns */
int64_t cw_process_cpu_ns(void);  /* CLOCK_PROCESS_CPUTIME_ID in ns */

/* Reads a whole small regular file (at most max bytes) into a new
 * NUL-terminated buffer. Returns 0 or -errno: -EFBIG past max (at once when
 * the file's size says so), -EISDIR for a directory, -EINVAL for anything
 * else that is not a regular file (a FIFO, a socket, a device).
 * cw_read_file opens path without blocking and without following a
 * symlink as its last component (-ELOOP). */
int cw_read_fd(int fd, size_t max, char **out, size_t *len);
int cw_read_file(const char *path, size_t max, char **out, size_t *len);
/* Opens path read-only without blocking (a FIFO would wait for a writer)
 * and only if it is a regular file; extra is more open flags (O_NOFOLLOW).
 * An fd, or -errno (-EINVAL for anything but a regular file). */
int cw_open_regular(const char *path, int extra);
/* Joins a root prefix and an absolute path: ("/host", "/run/x") -> "/host/run/x". */
char *cw_path_join(const char *root, const char *path);

/* The comm of <procfs>/<pid>, sanitised; "" if the process is gone. */
void cw_proc_comm(const char *procfs, int pid, char *buf, size_t n);

/* Parses a whole decimal number; returns false on junk or overflow. */
bool cw_parse_u64(const char *s, uint64_t *out);
bool cw_parse_double(const char *s, double *out);

/* Raises the soft RLIMIT_NOFILE to the hard limit (a node's namespaces each
 * keep a few descriptors; the default soft 1024 is too few at 200 pods).
 * *soft gets the limit now in force. Returns 0 or -errno. */
int cw_nofile_raise(uint64_t *soft);

#endif
