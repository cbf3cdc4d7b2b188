/* podfiles: what a pod's processes expose about themselves, read for the
 * findings: the resolver settings in <procfs>/<pid>/root/etc/resolv.conf,
 * the resolver knobs in <procfs>/<pid>/environ (GODEBUG netdns, RES_OPTIONS,
 * LOCALDOMAIN), the open-file limit in <procfs>/<pid>/limits and the count
 * of <procfs>/<pid>/fd.
 *
 * All of it is shaped by the pod, so it is read as hostile: regular files
 * only, opened without blocking (a FIFO never hangs a read), a size bound on
 * every file, the pod's own root confined by src/root.c (a symlink in the
 * pod never leads out of it), strings sanitised, and results bounded in
 * fixed-size structs. Failures are -errno with a one-line cause.
 *
 * The parsers are hand-written, and pure (text in, struct out): no library
 * parses these files. libc's resolver reads only the calling process's own
 * /etc/resolv.conf into its private state (res_ninit takes no path), and
 * nothing exports parsers for procfs's limits table or a foreign environ
 * block. They follow glibc's reading of resolv.conf: a keyword starts a
 * line, "domain" and "search" replace each other (the last one wins),
 * "options" lines add up, and lines starting with '#' or ';' are comments. */
#ifndef CW_PODFILES_H
#define CW_PODFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp.h"

/* Size bounds: resolv.conf and limits are small; environ holds the
 * service links Kubernetes injects (several per Service in the pod's
 * namespace), so it may be large: past its bound the rest is not read. */
#define CW_PODFILES_MAX (64 * 1024)
#define CW_PODFILES_ENV_MAX (1024 * 1024)
/* /proc/<pid>/fd is counted up to this many entries by default. */
#define CW_PODFILES_FD_CAP 131072

/* Kept of each list (the rest is only counted). glibc uses the first 3
 * nameservers; search domains past 6 were ignored before glibc 2.26. */
#define CW_RESOLV_MAXNS 8
#define CW_RESOLV_MAXSEARCH 8
#define CW_RESOLV_NAMELEN 256   /* a DNS name is at most 253 characters */

/* Flag options (options line or RES_OPTIONS). */
enum {
	CW_RESOLV_ROTATE = 1u << 0,
	CW_RESOLV_EDNS0 = 1u << 1,
	CW_RESOLV_SINGLE_REQUEST = 1u << 2,
	CW_RESOLV_SINGLE_REQUEST_REOPEN = 1u << 3,
	CW_RESOLV_USE_VC = 1u << 4,          /* DNS over TCP only */
	CW_RESOLV_NO_TLD_QUERY = 1u << 5,
	CW_RESOLV_TRUST_AD = 1u << 6,
	CW_RESOLV_NO_AAAA = 1u << 7,
	CW_RESOLV_INET6 = 1u << 8,
	CW_RESOLV_NO_RELOAD = 1u << 9,
	CW_RESOLV_DEBUG = 1u << 10,
};

/* A resolv.conf as a resolver would read it. */
struct cw_resolv {
	struct cw_addr ns[CW_RESOLV_MAXNS];  /* nameservers, in file order */
	size_t nns;                          /* kept */
	size_t nns_all;                      /* valid nameserver lines, all of them */
	size_t ns_bad;                       /* nameserver lines with no valid address */
	char search[CW_RESOLV_MAXSEARCH][CW_RESOLV_NAMELEN]; /* sanitised */
	size_t nsearch;                      /* kept */
	size_t nsearch_all;                  /* in the search list in force */
	int ndots, timeout, attempts;        /* -1: not set (defaults 1, 5 s, 2) */
	unsigned flags;                      /* CW_RESOLV_* */
	size_t unknown_opts;                 /* option words not understood */
	size_t junk;                         /* lines neither blank, comment nor keyword */
};

/* What a process's environment sets for its resolver; strings sanitised,
 * cut to their buffer at a character boundary. A variable set twice
 * counts once, the first time, as getenv() reads it. */
struct cw_podenv {
	bool has_netdns;
	char netdns[64];           /* GODEBUG's netdns value ("go", "cgo+1") */
	bool has_res_options;
	char res_options[256];     /* RES_OPTIONS: options added to resolv.conf's */
	bool has_localdomain;
	char localdomain[256];     /* LOCALDOMAIN: replaces the search list */
	bool truncated;            /* the environment was longer than its bound */
};

/* RLIMIT_NOFILE as /proc/<pid>/limits shows it. */
#define CW_NOFILE_UNLIMITED UINT64_MAX
struct cw_nofile {
	uint64_t soft, hard;       /* CW_NOFILE_UNLIMITED for "unlimited" */
};

/* Parsers: any bytes at all (NULs included) are safe to pass. */
void cw_podfiles_parse_resolv(const char *text, size_t len, struct cw_resolv *out);
/* Applies one options string (the words after "options", or RES_OPTIONS). */
void cw_podfiles_parse_options(const char *text, size_t len, struct cw_resolv *r);
/* buf: NUL-separated NAME=value entries. truncated: buf is a prefix of the
 * whole environment (its last entry may be cut, so it is dropped). */
void cw_podfiles_parse_environ(const char *buf, size_t len, bool truncated, struct cw_podenv *out);
/* Applies RES_OPTIONS and LOCALDOMAIN to r, as glibc's resolver does:
 * the settings a process of the pod really uses. */
void cw_podfiles_apply_env(struct cw_resolv *r, const struct cw_podenv *env);
/* The "Max open files" line of a limits table. Returns 0, -ENOENT with no
 * such line, -EBADMSG when its values do not parse. */
int cw_podfiles_parse_limits(const char *text, size_t len, struct cw_nofile *out);

/* Readers: <procfs>/<pid>/... Each returns 0 or -errno with *cause set
 * (if cause is non-NULL) to a one-line, sanitised explanation. */
int cw_podfiles_read_resolv(const char *procfs, int pid, struct cw_resolv *out, char **cause);
int cw_podfiles_read_environ(const char *procfs, int pid, struct cw_podenv *out, char **cause);
int cw_podfiles_read_limits(const char *procfs, int pid, struct cw_nofile *out, char **cause);
/* Counts the entries of <procfs>/<pid>/fd, stopping at cap (then *capped
 * is set and *count == cap: the process holds at least that many). */
int cw_podfiles_count_fds(const char *procfs, int pid, size_t cap, size_t *count, bool *capped,
			  char **cause);

/* The name of a flag option ("use-vc"), or NULL. */
const char *cw_podfiles_flag_name(unsigned flag);

/* Names a resolver tries for a name with this many dots until the name as
 * given: with fewer dots than ndots (default 1) each search domain comes
 * first, so "api.example.com" under ndots:5 and 3 search domains costs 4
 * names (each an A and usually an AAAA query) before its own answer. */
unsigned cw_podfiles_names_per_lookup(const struct cw_resolv *r, unsigned dots);
/* One line for a finding's evidence: the settings that multiply lookups,
 * e.g. "nameserver 10.96.0.10, ndots:5, 3 search domains, single-request;
 * GODEBUG netdns=go". env may be NULL. Always terminated; cut to n. */
void cw_podfiles_summary(const struct cw_resolv *r, const struct cw_podenv *env, char *buf,
			 size_t n);

#endif
