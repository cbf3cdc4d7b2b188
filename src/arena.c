/* arena: chunked bump allocation. */
#include "config.h"
#include "arena.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CW_ARENA_CHUNK (64 * 1024)

struct cw_arena_chunk {
	struct cw_arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *cw_arena_alloc(struct cw_arena *a, size_t n)
{
	struct cw_arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (!c || c->size - c->used < need) {
		size_t size = need > CW_ARENA_CHUNK ? need : CW_ARENA_CHUNK;

		c = cw_xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

void *cw_arena_memdup(struct cw_arena *a, const void *p, size_t n)
{
	void *d;

	if (n == 0)
		return NULL;
	d = cw_arena_alloc(a, n);
	memcpy(d, p, n);
	return d;
}

char *cw_arena_strdup(struct cw_arena *a, const char *s)
{
	if (!s)
		return NULL;
	return cw_arena_memdup(a, s, strlen(s) + 1);
}

void cw_arena_done(struct cw_arena *a)
{
	struct cw_arena_chunk *c = a->head, *n;

	for (; c; c = n) {
		n = c->next;
		free(c);
	}
	a->head = NULL;
}

const char **cw_arena_strvdup(struct cw_arena *a, char *const *v, size_t n)
{
	const char **d;
	size_t i;

	if (!n)
		return NULL;
	d = cw_arena_alloc(a, n * sizeof(*d));
	for (i = 0; i < n; i++)
		d[i] = cw_arena_strdup(a, v[i]);
	return d;
}
