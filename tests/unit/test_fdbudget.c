/* test_fdbudget: which namespaces keep descriptors near RLIMIT_NOFILE. */
#include "config.h"
#include "fdbudget.h"
#include "tap.h"

#include <fcntl.h>
#include <unistd.h>

static struct cw_fdbudget_item item(enum cw_fdbudget_rank rank, int64_t seen, uint64_t inode)
{
	struct cw_fdbudget_item it = {
		/* five each, whatever CW_FDBUDGET_NS_COST is: the sums below are in fives */
		.rank = rank, .first_seen_ms = seen, .inode = inode, .cost = 5,
	};
	return it;
}

/* "K" for kept, "-" for not, in item order. */
static const char *kept(const struct cw_fdbudget_item *v, size_t n)
{
	static char buf[64];
	size_t i;

	for (i = 0; i < n && i + 1 < sizeof(buf); i++)
		buf[i] = v[i].keep ? 'K' : '-';
	buf[i] = '\0';
	return buf;
}

static void test_unknown_limit(void)
{
	struct cw_fdbudget_item v[3] = {
		item(CW_FDBUDGET_PROCESS, 1, 1), item(CW_FDBUDGET_POD, 1, 2), item(CW_FDBUDGET_HOST, 1, 3),
	};

	is_int(cw_fdbudget_plan(v, 3, 0, 1000000), 0, "limit unknown: nothing dropped");
	is_str(kept(v, 3), "KKK", "limit unknown: all kept");
	is_int(cw_fdbudget_plan(NULL, 0, 40, 10), 0, "no namespaces: nothing to drop");
}

static void test_plenty(void)
{
	struct cw_fdbudget_item v[3] = {
		item(CW_FDBUDGET_PROCESS, 1, 1), item(CW_FDBUDGET_POD, 1, 2), item(CW_FDBUDGET_HOST, 1, 3),
	};

	is_int(cw_fdbudget_plan(v, 3, 1024, 20), 0, "far from the limit: nothing dropped");
	is_str(kept(v, 3), "KKK", "far from the limit: all kept");
}

/* limit 100: 80 may be used; 10 are other, so 70 = 14 namespaces of 5. */
static void test_order(void)
{
	struct cw_fdbudget_item v[18];
	size_t i, n = 0;

	/* item order: 4 processes, 4 containers, 8 pods, host, 1 named */
	for (i = 0; i < 4; i++)
		v[n++] = item(CW_FDBUDGET_PROCESS, 100 + (int64_t)i, 10 + i);
	for (i = 0; i < 4; i++)
		v[n++] = item(CW_FDBUDGET_OTHER, 100 + (int64_t)i, 20 + i);
	for (i = 0; i < 8; i++)
		v[n++] = item(CW_FDBUDGET_POD, 200 - (int64_t)i, 30 + i);
	v[n++] = item(CW_FDBUDGET_HOST, 500, 1);
	v[n++] = item(CW_FDBUDGET_OTHER, 50, 40);
	is_int(cw_fdbudget_plan(v, n, 100, 10), 4, "18 namespaces, room for 14: 4 dropped");
	/* kept: host, 8 pods, 5 others (named seen at 50, then containers
	 * 100..103); dropped: every process */
	is_str(kept(v, n), "----KKKKKKKKKKKKKK", "processes give way first");

	is_int(cw_fdbudget_plan(v, n, 100, 40), 10, "room for 8: 10 dropped");
	is_str(kept(v, n), "---------KKKKKKKK-",
	       "then the named one and containers, then the newest pod (seen at 200)");

	is_int(cw_fdbudget_plan(v, n, 100, 75), 17, "room for 1: only the host");
	is_str(kept(v, n), "----------------K-", "the host is kept last");

	is_int(cw_fdbudget_plan(v, n, 100, 80), 18, "no room at all: nothing kept");
}

static void test_ties_and_focus(void)
{
	struct cw_fdbudget_item v[4] = {
		item(CW_FDBUDGET_PROCESS, 7, 9), item(CW_FDBUDGET_PROCESS, 7, 3),
		item(CW_FDBUDGET_POD, 7, 5), item(CW_FDBUDGET_PROCESS, 7, 4),
	};

	/* limit 20: 16 usable, other 6: room for 2 */
	cw_fdbudget_plan(v, 4, 20, 6);
	is_str(kept(v, 4), "-KK-", "equal rank and age: the lower inode keeps (stable)");
	v[0].focus = true;
	cw_fdbudget_plan(v, 4, 20, 6);
	is_str(kept(v, 4), "K-K-", "the focused process is kept like a pod");
	v[2].first_seen_ms = 1;
	cw_fdbudget_plan(v, 4, 20, 11);
	is_str(kept(v, 4), "--K-", "... but an older pod comes first");
}

static void test_costs(void)
{
	struct cw_fdbudget_item v[3] = {
		item(CW_FDBUDGET_POD, 1, 1), item(CW_FDBUDGET_POD, 2, 2), item(CW_FDBUDGET_POD, 3, 3),
	};

	/* limit 50: 40 usable, other 25: 15 left. */
	v[0].cost = 4; /* set up without sockstat6 */
	v[1].cost = 12;
	v[2].cost = 1;
	is_int(cw_fdbudget_plan(v, 3, 50, 25), 2, "a namespace that does not fit ends the list");
	is_str(kept(v, 3), "K--", "... even when a cheaper one after it would fit");
	v[1].cost = 0; /* tried, and holds nothing */
	cw_fdbudget_plan(v, 3, 50, 25);
	is_str(kept(v, 3), "KKK", "actual costs are summed: 4 + 0 + 1 fit in 15");
}

static void test_count_open(void)
{
	int before = cw_fdbudget_count_open(), fd, after;

	ok(before >= 3, "count_open sees at least stdin/out/err (%d)", before);
	fd = open("/dev/null", O_RDONLY);
	after = cw_fdbudget_count_open();
	is_int(after, before + 1, "count_open counts one more after an open");
	close(fd);
	is_int(cw_fdbudget_count_open(), before, "... and one less after close");
}

int main(void)
{
	test_unknown_limit();
	test_plenty();
	test_order();
	test_ties_and_focus();
	test_costs();
	test_count_open();
	return tap_done();
}
