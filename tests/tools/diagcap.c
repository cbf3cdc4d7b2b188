/* diagcap: captures a sock_diag dump of the current network namespace for
 * the replay fixtures. Run it inside a namespace (ip netns exec NS diagcap
 * ...). It writes every receive buffer as a [u32 length][bytes] record to
 * --out, then prints what the parser made of the dump:
 *   default:   "<STATE> <count>" per state, the way `ss -tan` would count
 *              (NEW_SYN_RECV folds into SYN_RECV), then "total <n>";
 *   --records: one line per socket,
 *              "<STATE> <local> <lport> <remote> <rport> ino:<inode> sk:<cookie hex>"
 *              with v4-mapped addresses shown as IPv4 (as connwatch keeps them).
 * Usage: diagcap [--mode legacy|family|auto] [--info] [--records] [--out FILE] */
#include "config.h"
#include "diag.h"
#include "tcp.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: diagcap [--mode legacy|family|auto] [--info] [--records] [--out FILE]\n", f);
}

int main(int argc, char **argv)
{
	enum cw_diag_mode mode = CW_DIAG_MODE_LEGACY;
	const char *out_path = NULL;
	bool info = false, records = false;
	struct cw_sockvec sv = {0};
	struct cw_diag *d = NULL;
	char *cause = NULL;
	unsigned counts[CW_TCP_NSTATES] = {0};
	int fd = -1, r, i;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
			const char *m = argv[++i];

			if (strcmp(m, "legacy") == 0)
				mode = CW_DIAG_MODE_LEGACY;
			else if (strcmp(m, "family") == 0)
				mode = CW_DIAG_MODE_FAMILY;
			else if (strcmp(m, "auto") == 0)
				mode = CW_DIAG_MODE_AUTO;
			else {
				usage(stderr);
				return 2;
			}
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out_path = argv[++i];
		} else if (strcmp(argv[i], "--info") == 0) {
			info = true;
		} else if (strcmp(argv[i], "--records") == 0) {
			records = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	r = cw_diag_open(&d, mode, &cause);
	if (r < 0) {
		fprintf(stderr, "diagcap: %s\n", cause ? cause : strerror(-r));
		free(cause);
		return 1;
	}
	if (out_path) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "diagcap: %s: %s\n", out_path, strerror(errno));
			cw_diag_close(d);
			return 1;
		}
		cw_diag_set_capture(d, fd);
	}
	r = cw_diag_dump(d, info, &sv, &cause);
	if (r < 0) {
		fprintf(stderr, "diagcap: dump: %s\n", cause ? cause : strerror(-r));
		free(cause);
		cw_diag_close(d);
		if (fd >= 0)
			close(fd);
		cw_sockvec_done(&sv);
		return 1;
	}
	if (fd >= 0 && close(fd) != 0) {
		fprintf(stderr, "diagcap: %s: %s\n", out_path, strerror(errno));
		r = -1;
	}

	for (k = 0; k < sv.n; k++) {
		const struct cw_sock *s = &sv.v[k];
		unsigned slot = cw_tcp_state_slot(s->state);

		counts[slot]++;
		if (records) {
			char a[64], b[64];

			printf("%s %s %u %s %u ino:%" PRIu32 " sk:%" PRIx64 "\n",
			       cw_tcp_state_name(slot), cw_addr_str(&s->src, a, sizeof(a)),
			       (unsigned)s->sport, cw_addr_str(&s->dst, b, sizeof(b)),
			       (unsigned)s->dport, s->inode, s->cookie);
		}
	}
	if (!records) {
		for (k = 1; k < CW_TCP_NSTATES; k++)
			if (counts[k])
				printf("%s %u\n", cw_tcp_state_name((unsigned)k), counts[k]);
		printf("total %zu\n", sv.n);
	}
	fprintf(stderr, "diagcap: mode %s, %zu sockets\n",
		cw_diag_mode_used(d) == CW_DIAG_MODE_FAMILY ? "family" : "legacy", sv.n);
	cw_diag_close(d);
	cw_sockvec_done(&sv);
	return r < 0 ? 1 : 0;
}
