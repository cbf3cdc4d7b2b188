/* test_map: the integer and string maps, checked against a plain array
 * model through many random puts, deletes and reinserts, plus iteration
 * over empty, full and grown maps. */
#include "config.h"
#include "map.h"
#include "tap.h"

#define NKEYS 3000
#define NOPS 60000

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Keys spread over the whole range, and a run of dense ones (inodes). */
static uint64_t ikey(size_t i)
{
	if (i % 3 == 0)
		return 4026531840ull + i;
	if (i % 3 == 1)
		return (uint64_t)i << 40 | 7;
	return UINT64_MAX - i;
}

static int freed;

static void count_free(void *v)
{
	(void)v;
	freed++;
}

static void test_imap_empty(void)
{
	struct cw_imap m = {0};
	struct cw_imap_iter it;
	int n = 0;

	ok(cw_imap_get(&m, 1) == NULL, "imap: get on a never-used map");
	ok(cw_imap_del(&m, 1) == NULL, "imap: del on a never-used map");
	for (cw_imap_iter_init(&it, &m); cw_imap_next(&it);)
		n++;
	is_int(n, 0, "imap: a never-used map iterates nothing");
	cw_imap_put(&m, 0, CW_MAP_IDX(0));
	ok(cw_imap_get(&m, 0) == CW_MAP_IDX(0), "imap: key 0 and index 0 are storable");
	is_int(CW_MAP_IDX_OF(cw_imap_get(&m, 0)), 0, "imap: index round trip");
	ok(cw_imap_del(&m, 0) == CW_MAP_IDX(0), "imap: del returns the value");
	for (cw_imap_iter_init(&it, &m); cw_imap_next(&it);)
		n++;
	is_int(n, 0, "imap: emptied map iterates nothing");
	cw_imap_done(&m, NULL);
	ok(m.slots == NULL && m.n == 0, "imap: done frees and zeroes");
}

static void test_imap_model(void)
{
	static void *model[NKEYS];
	static int seen[NKEYS];
	struct cw_imap m = {0};
	struct cw_imap_iter it;
	size_t op, i, live = 0, bad = 0, bad_iter = 0, grown_cap = 0;

	memset(model, 0, sizeof(model));
	for (op = 0; op < NOPS; op++) {
		size_t k = rnd() % NKEYS;
		unsigned what = (unsigned)(rnd() % 10);
		void *prev;

		if (what < 5) {
			void *v = CW_MAP_IDX(op);

			prev = cw_imap_put(&m, ikey(k), v);
			bad += prev != model[k];
			live += !model[k];
			model[k] = v;
		} else if (what < 8) {
			prev = cw_imap_del(&m, ikey(k));
			bad += prev != model[k];
			live -= model[k] != NULL;
			model[k] = NULL;
		} else {
			bad += cw_imap_get(&m, ikey(k)) != model[k];
		}
		bad += m.n != live;
		if (m.cap > grown_cap)
			grown_cap = m.cap;
		if (op % 5000 == 4999) {
			memset(seen, 0, sizeof(seen));
			for (cw_imap_iter_init(&it, &m); cw_imap_next(&it);) {
				for (i = 0; i < NKEYS && ikey(i) != it.key; i++)
					;
				if (i == NKEYS || model[i] != it.val)
					bad_iter++;
				else
					seen[i]++;
			}
			for (i = 0; i < NKEYS; i++)
				bad_iter += (size_t)(seen[i] != (model[i] != NULL));
		}
	}
	is_int(bad, 0, "imap: %d random put/del/get agree with the model", NOPS);
	is_int(bad_iter, 0, "imap: iteration yields each live key once, with its value");
	ok(grown_cap >= 1024, "imap: grew to %zu slots", grown_cap);
	ok(m.n * 2 <= m.cap, "imap: at most half full (%zu of %zu)", m.n, m.cap);

	/* Delete everything, then reinsert: every probe chain must still work. */
	for (i = 0; i < NKEYS; i++)
		cw_imap_del(&m, ikey(i));
	is_int(m.n, 0, "imap: all deleted");
	for (i = 0; i < NKEYS; i++)
		bad += cw_imap_get(&m, ikey(i)) != NULL;
	for (i = 0; i < NKEYS; i++)
		cw_imap_put(&m, ikey(i), CW_MAP_IDX(i));
	for (i = 0; i < NKEYS; i++)
		bad += cw_imap_get(&m, ikey(i)) != CW_MAP_IDX(i);
	is_int(bad, 0, "imap: after deleting all, every key reinserts and reads back");
	freed = 0;
	cw_imap_clear(&m, count_free);
	is_int(freed, NKEYS, "imap: clear calls fn once per value");
	is_int(m.n, 0, "imap: clear empties");
	ok(cw_imap_get(&m, ikey(5)) == NULL, "imap: cleared keys are gone");
	cw_imap_done(&m, NULL);
}

/* A map filled to its load limit (the next insert grows it) iterates whole. */
static void test_imap_full(void)
{
	struct cw_imap m = {0};
	struct cw_imap_iter it;
	size_t i, cap, n = 0, sum = 0;

	cw_imap_put(&m, 1000, CW_MAP_IDX(0));
	cap = m.cap;
	for (i = 1; i < cap / 2; i++)
		cw_imap_put(&m, 1000 + i * cap, CW_MAP_IDX(i));
	is_int(m.cap, cap, "imap: filled to half without growing");
	for (cw_imap_iter_init(&it, &m); cw_imap_next(&it);) {
		n++;
		sum += CW_MAP_IDX_OF(it.val);
	}
	is_int(n, cap / 2, "imap: full map iterates every entry");
	is_int(sum, (cap / 2) * (cap / 2 - 1) / 2, "imap: ... each once");
	cw_imap_put(&m, 1, CW_MAP_IDX(99));
	ok(m.cap > cap, "imap: one more grows it (%zu -> %zu)", cap, m.cap);
	for (i = 0; i < cap / 2; i++)
		n += cw_imap_get(&m, 1000 + i * cap) == CW_MAP_IDX(i);
	is_int(n, cap, "imap: everything survives growth");
	cw_imap_done(&m, NULL);
}

static void test_smap_basic(void)
{
	struct cw_smap m = {0};
	struct cw_smap_iter it;
	static const char k1[] = {'a', 0, 'b'}, k2[] = {'a', 0, 'c'};
	int a = 1, b = 2, c = 3, n = 0;

	ok(cw_smap_get(&m, "x") == NULL, "smap: get on a never-used map");
	ok(cw_smap_del(&m, "x") == NULL, "smap: del on a never-used map");
	for (cw_smap_iter_init(&it, &m); cw_smap_next(&it);)
		n++;
	is_int(n, 0, "smap: a never-used map iterates nothing");
	ok(cw_smap_put(&m, "", &a) == NULL, "smap: empty string is a key");
	ok(cw_smap_get(&m, "") == &a, "smap: ... and reads back");
	cw_smap_putb(&m, k1, sizeof(k1), &b);
	cw_smap_putb(&m, k2, sizeof(k2), &c);
	ok(cw_smap_getb(&m, k1, sizeof(k1)) == &b && cw_smap_getb(&m, k2, sizeof(k2)) == &c,
	   "smap: binary keys differing after a NUL stay apart");
	ok(cw_smap_getb(&m, k1, 2) == NULL, "smap: a prefix of a key is another key");
	ok(cw_smap_get(&m, "a") == NULL, "smap: string \"a\" is not binary a\\0b");
	ok(cw_smap_put(&m, "", &c) == &a, "smap: put returns the replaced value");
	is_int(m.n, 3, "smap: replacing does not add");
	n = 0;
	for (cw_smap_iter_init(&it, &m); cw_smap_next(&it);)
		n += (it.len == 1 && it.key[0] == '\0' && it.val == &c) ||
		     (it.len == 3 && memcmp(it.key, k1, 3) == 0 && it.val == &b) ||
		     (it.len == 3 && memcmp(it.key, k2, 3) == 0 && it.val == &c);
	is_int(n, 3, "smap: iteration gives keys, lengths and values");
	cw_smap_done(&m, NULL);
}

static void test_smap_model(void)
{
	static void *model[NKEYS];
	static int seen[NKEYS];
	struct cw_smap m = {0};
	struct cw_smap_iter it;
	size_t op, i, live = 0, bad = 0, bad_iter = 0;
	char key[32];

	memset(model, 0, sizeof(model));
	for (op = 0; op < NOPS; op++) {
		size_t k = rnd() % NKEYS;
		unsigned what = (unsigned)(rnd() % 10);
		void *prev;

		snprintf(key, sizeof(key), "%zu", k);
		if (what < 5) {
			void *v = CW_MAP_IDX(op);

			prev = cw_smap_put(&m, key, v);
			bad += prev != model[k];
			live += !model[k];
			model[k] = v;
		} else if (what < 8) {
			prev = cw_smap_del(&m, key);
			bad += prev != model[k];
			live -= model[k] != NULL;
			model[k] = NULL;
		} else {
			bad += cw_smap_get(&m, key) != model[k];
		}
		bad += m.n != live;
		if (op % 5000 == 4999) {
			memset(seen, 0, sizeof(seen));
			for (cw_smap_iter_init(&it, &m); cw_smap_next(&it);) {
				i = (size_t)strtoul(it.key, NULL, 10);
				if (i >= NKEYS || model[i] != it.val || it.len != strlen(it.key) + 1)
					bad_iter++;
				else
					seen[i]++;
			}
			for (i = 0; i < NKEYS; i++)
				bad_iter += (size_t)(seen[i] != (model[i] != NULL));
		}
	}
	is_int(bad, 0, "smap: %d random put/del/get agree with the model", NOPS);
	is_int(bad_iter, 0, "smap: iteration yields each live key once, with its value");
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "%zu", i);
		cw_smap_del(&m, key);
	}
	is_int(m.n, 0, "smap: all deleted");
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "%zu", i);
		cw_smap_put(&m, key, CW_MAP_IDX(i));
	}
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "%zu", i);
		bad += cw_smap_get(&m, key) != CW_MAP_IDX(i);
	}
	is_int(bad, 0, "smap: after deleting all, every key reinserts and reads back");
	freed = 0;
	cw_smap_done(&m, count_free);
	is_int(freed, NKEYS, "smap: done calls fn once per value");
}

int main(void)
{
	test_imap_empty();
	test_imap_model();
	test_imap_full();
	test_smap_basic();
	test_smap_model();
	return tap_done();
}
