/* strmap: string -> pointer map. */
#include "config.h"
#include "strmap.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32));
}

static struct cw_strmap_slot *find(const struct cw_strmap *m, const char *key)
{
	size_t i, mask = m->cap - 1;

	for (i = hash(key) & mask; m->slots[i].key; i = (i + 1) & mask)
		if (strcmp(m->slots[i].key, key) == 0)
			return &m->slots[i];
	return &m->slots[i];
}

void *cw_strmap_get(const struct cw_strmap *m, const char *key)
{
	struct cw_strmap_slot *s;

	if (!m->cap)
		return NULL;
	s = find(m, key);
	return s->key ? s->val : NULL;
}

static void grow(struct cw_strmap *m)
{
	struct cw_strmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 32;
	m->slots = cw_xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
}

void *cw_strmap_put(struct cw_strmap *m, const char *key, void *val)
{
	struct cw_strmap_slot *s;
	void *prev;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	s = find(m, key);
	if (s->key) {
		prev = s->val;
		s->val = val;
		return prev;
	}
	s->key = cw_xstrdup(key);
	s->val = val;
	m->n++;
	return NULL;
}

void *cw_strmap_del(struct cw_strmap *m, const char *key)
{
	struct cw_strmap_slot *s;
	size_t i, j, k, mask;
	void *val;

	if (!m->cap)
		return NULL;
	s = find(m, key);
	if (!s->key)
		return NULL;
	val = s->val;
	free(s->key);
	s->key = NULL;
	m->n--;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	mask = m->cap - 1;
	i = (size_t)(s - m->slots);
	for (j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		k = hash(m->slots[j].key) & mask;
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
	return val;
}

void cw_strmap_clear(struct cw_strmap *m, void (*fn)(void *val))
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		if (fn)
			fn(m->slots[i].val);
		free(m->slots[i].key);
		m->slots[i].key = NULL;
	}
	m->n = 0;
}

void cw_strmap_done(struct cw_strmap *m, void (*fn)(void *val))
{
	cw_strmap_clear(m, fn);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
