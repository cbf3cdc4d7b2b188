/* map: integer- and string-keyed hash maps (see map.h). */
#include "config.h"
#include "map.h"
#include "util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 16

/* splitmix64's finaliser: inodes and indexes are dense, so mix every bit. */
static uint64_t imix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* FNV-1a, folded so the low bits (the slot index) see the high ones. */
static uint64_t smix(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h ^ (h >> 32);
}

/* Whether the entry at j, whose home slot is home, may move back into the
 * hole at i: it may when i lies on its probe path home..j (cyclically). */
static bool may_fill(size_t home, size_t i, size_t j, size_t mask)
{
	return ((j - home) & mask) >= ((j - i) & mask);
}

/* ---- integer keys ---- */

static size_t ifind(const struct cw_imap *m, uint64_t key)
{
	size_t i, mask = m->cap - 1;

	for (i = imix(key) & mask; m->slots[i].val; i = (i + 1) & mask)
		if (m->slots[i].key == key)
			break;
	return i;
}

void *cw_imap_get(const struct cw_imap *m, uint64_t key)
{
	if (!m->n)
		return NULL;
	return m->slots[ifind(m, key)].val;
}

static void igrow(struct cw_imap *m)
{
	struct cw_imap_slot *old = m->slots;
	size_t i, oldcap = m->cap;

	m->cap = oldcap ? oldcap * 2 : MIN_CAP;
	m->slots = cw_xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i].val)
			m->slots[ifind(m, old[i].key)] = old[i];
	free(old);
}

void *cw_imap_put(struct cw_imap *m, uint64_t key, void *val)
{
	struct cw_imap_slot *s;
	void *prev;

	if (!val)
		cw_fatal("map: a NULL value cannot be stored");
	if ((m->n + 1) * 2 > m->cap)
		igrow(m);
	s = &m->slots[ifind(m, key)];
	prev = s->val;
	s->key = key;
	s->val = val;
	if (!prev) {
		m->n++;
		m->gen++;
	}
	return prev;
}

void *cw_imap_del(struct cw_imap *m, uint64_t key)
{
	size_t i, j, mask;
	void *val;

	if (!m->n)
		return NULL;
	i = ifind(m, key);
	val = m->slots[i].val;
	if (!val)
		return NULL;
	m->slots[i].val = NULL;
	m->n--;
	m->gen++;
	mask = m->cap - 1;
	for (j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		if (may_fill(imix(m->slots[j].key) & mask, i, j, mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].val = NULL;
			i = j;
		}
	}
	return val;
}

void cw_imap_clear(struct cw_imap *m, void (*fn)(void *val))
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].val && fn)
			fn(m->slots[i].val);
		m->slots[i].val = NULL;
	}
	m->n = 0;
	m->gen++;
}

void cw_imap_done(struct cw_imap *m, void (*fn)(void *val))
{
	cw_imap_clear(m, fn);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void cw_imap_iter_init(struct cw_imap_iter *it, const struct cw_imap *m)
{
	memset(it, 0, sizeof(*it));
	it->m = m;
	it->gen = m->gen;
}

bool cw_imap_next(struct cw_imap_iter *it)
{
	const struct cw_imap *m = it->m;

	assert(it->gen == m->gen);
	for (; it->i < m->cap; it->i++) {
		if (m->slots[it->i].val) {
			it->key = m->slots[it->i].key;
			it->val = m->slots[it->i].val;
			it->i++;
			return true;
		}
	}
	it->val = NULL;
	return false;
}

/* ---- byte-string keys ---- */

static size_t sfind(const struct cw_smap *m, const void *key, size_t len, uint64_t h)
{
	size_t i, mask = m->cap - 1;
	const struct cw_smap_slot *s;

	for (i = h & mask; (s = &m->slots[i])->val; i = (i + 1) & mask)
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			break;
	return i;
}

void *cw_smap_getb(const struct cw_smap *m, const void *key, size_t len)
{
	if (!m->n)
		return NULL;
	return m->slots[sfind(m, key, len, smix(key, len))].val;
}

static void sgrow(struct cw_smap *m)
{
	struct cw_smap_slot *old = m->slots;
	size_t i, j, oldcap = m->cap, mask;

	m->cap = oldcap ? oldcap * 2 : MIN_CAP;
	mask = m->cap - 1;
	m->slots = cw_xcalloc(m->cap, sizeof(*m->slots));
	/* Keys are distinct already: only an empty slot is needed. */
	for (i = 0; i < oldcap; i++) {
		if (!old[i].val)
			continue;
		for (j = old[i].hash & mask; m->slots[j].val; j = (j + 1) & mask)
			;
		m->slots[j] = old[i];
	}
	free(old);
}

void *cw_smap_putb(struct cw_smap *m, const void *key, size_t len, void *val)
{
	struct cw_smap_slot *s;
	uint64_t h = smix(key, len);
	void *prev;

	if (!val)
		cw_fatal("map: a NULL value cannot be stored");
	if ((m->n + 1) * 2 > m->cap)
		sgrow(m);
	s = &m->slots[sfind(m, key, len, h)];
	prev = s->val;
	s->val = val;
	if (prev)
		return prev;
	s->key = cw_xmalloc(len + 1);
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	s->len = len;
	s->hash = h;
	m->n++;
	m->gen++;
	return NULL;
}

void *cw_smap_delb(struct cw_smap *m, const void *key, size_t len)
{
	size_t i, j, mask;
	void *val;

	if (!m->n)
		return NULL;
	i = sfind(m, key, len, smix(key, len));
	val = m->slots[i].val;
	if (!val)
		return NULL;
	free(m->slots[i].key);
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->n--;
	m->gen++;
	mask = m->cap - 1;
	for (j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		if (may_fill(m->slots[j].hash & mask, i, j, mask)) {
			m->slots[i] = m->slots[j];
			memset(&m->slots[j], 0, sizeof(m->slots[j]));
			i = j;
		}
	}
	return val;
}

void *cw_smap_get(const struct cw_smap *m, const char *key)
{
	return cw_smap_getb(m, key, strlen(key) + 1);
}

void *cw_smap_put(struct cw_smap *m, const char *key, void *val)
{
	return cw_smap_putb(m, key, strlen(key) + 1, val);
}

void *cw_smap_del(struct cw_smap *m, const char *key)
{
	return cw_smap_delb(m, key, strlen(key) + 1);
}

void cw_smap_clear(struct cw_smap *m, void (*fn)(void *val))
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].val)
			continue;
		if (fn)
			fn(m->slots[i].val);
		free(m->slots[i].key);
		memset(&m->slots[i], 0, sizeof(m->slots[i]));
	}
	m->n = 0;
	m->gen++;
}

void cw_smap_done(struct cw_smap *m, void (*fn)(void *val))
{
	cw_smap_clear(m, fn);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void cw_smap_iter_init(struct cw_smap_iter *it, const struct cw_smap *m)
{
	memset(it, 0, sizeof(*it));
	it->m = m;
	it->gen = m->gen;
}

bool cw_smap_next(struct cw_smap_iter *it)
{
	const struct cw_smap *m = it->m;

	assert(it->gen == m->gen);
	for (; it->i < m->cap; it->i++) {
		const struct cw_smap_slot *s = &m->slots[it->i];

		if (s->val) {
			it->key = s->key;
			it->len = s->len;
			it->val = s->val;
			it->i++;
			return true;
		}
	}
	it->val = NULL;
	return false;
}
