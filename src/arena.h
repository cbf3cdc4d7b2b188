/* arena: a bump allocator. A snapshot owns all its rows and strings through
 * one arena and frees them at once. */
#ifndef CW_ARENA_H
#define CW_ARENA_H

#include <stddef.h>

struct cw_arena_chunk;

struct cw_arena {
	struct cw_arena_chunk *head;
};

void *cw_arena_alloc(struct cw_arena *a, size_t n);   /* zeroed, 16-byte aligned */
void *cw_arena_memdup(struct cw_arena *a, const void *p, size_t n);
char *cw_arena_strdup(struct cw_arena *a, const char *s); /* NULL stays NULL */
/* Copies n strings and the array; NULL when n is 0. */
const char **cw_arena_strvdup(struct cw_arena *a, char *const *v, size_t n);
void cw_arena_done(struct cw_arena *a);

#endif
