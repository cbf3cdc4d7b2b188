/* fdbudget: who keeps descriptors near RLIMIT_NOFILE (see fdbudget.h). */
#include "config.h"
#include "fdbudget.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

static int item_cmp(const void *a, const void *b)
{
	const struct cw_fdbudget_item *x = *(const struct cw_fdbudget_item *const *)a;
	const struct cw_fdbudget_item *y = *(const struct cw_fdbudget_item *const *)b;
	int rx = x->focus && x->rank > CW_FDBUDGET_POD ? CW_FDBUDGET_POD : (int)x->rank;
	int ry = y->focus && y->rank > CW_FDBUDGET_POD ? CW_FDBUDGET_POD : (int)y->rank;

	if (rx != ry)
		return rx - ry;
	if (x->first_seen_ms != y->first_seen_ms)
		return x->first_seen_ms < y->first_seen_ms ? -1 : 1; /* older first */
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

size_t cw_fdbudget_plan(struct cw_fdbudget_item *v, size_t n, uint64_t limit, uint64_t other)
{
	struct cw_fdbudget_item **order;
	uint64_t cap, used = other;
	size_t i, dropped = 0;
	bool full = false;

	if (limit == 0) {
		for (i = 0; i < n; i++)
			v[i].keep = true;
		return 0;
	}
	cap = limit * CW_FDBUDGET_PCT / 100;
	order = cw_xmalloc((n ? n : 1) * sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = &v[i];
	qsort(order, n, sizeof(*order), item_cmp);
	for (i = 0; i < n; i++) {
		struct cw_fdbudget_item *it = order[i];

		full = full || used + it->cost > cap;
		it->keep = !full;
		if (full)
			dropped++;
		else
			used += it->cost;
	}
	free(order);
	return dropped;
}

int cw_fdbudget_count_open(void)
{
	/* Our own table: the real /proc, never --procfs (that is the host's). */
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}
