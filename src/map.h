/* map: the project's two hash maps, each with an iterator.
 *   struct cw_imap: uint64_t key -> void *value (netns inodes, indexes);
 *   struct cw_smap: byte-string key -> void *value. Keys are copied; a C
 *   string is a key of strlen + 1 bytes, and any fixed-layout binary key
 *   (agg's peer key) works too. Full keys are compared, never only hashes.
 * Values are borrowed, non-NULL pointers (NULL means "absent"); a small
 * index can be stored as CW_MAP_IDX(i) and read back with CW_MAP_IDX_OF.
 * Both are open addressing with linear probing, kept at most half full,
 * and backward-shift deletion (no tombstones, so lookups stay short after
 * churn).
 * Written here rather than taken from a packaged header library: Debian's
 * uthash-dev is intrusive (a handle inside every value struct, macros over
 * the caller's types) and libstb-dev's stb_ds keeps values in a realloc'd
 * array (pointers into it go stale) and aborts by assert on OOM; neither
 * gives a small non-intrusive typed map with cw_xmalloc's fatal OOM.
 * Iteration order is unspecified. The map must not change while an
 * iterator walks it: collect what to delete, then delete (debug builds
 * assert this). */
#ifndef CW_MAP_H
#define CW_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CW_MAP_IDX(i) ((void *)((uintptr_t)(i) + 1))
#define CW_MAP_IDX_OF(v) ((size_t)((uintptr_t)(v) - 1))

struct cw_imap_slot {
	uint64_t key;
	void *val;    /* NULL: empty slot */
};

struct cw_imap {
	struct cw_imap_slot *slots;
	size_t n, cap;
	unsigned long gen; /* bumped by every insert and delete */
};

struct cw_imap_iter {
	const struct cw_imap *m;
	size_t i;
	unsigned long gen;
	uint64_t key;
	void *val;
};

void *cw_imap_get(const struct cw_imap *m, uint64_t key);
/* Sets key to val (non-NULL); returns the previous value, or NULL. */
void *cw_imap_put(struct cw_imap *m, uint64_t key, void *val);
/* Removes key; returns its value, or NULL. */
void *cw_imap_del(struct cw_imap *m, uint64_t key);
/* Calls fn (if any) on each value, then empties the map (keeps its memory). */
void cw_imap_clear(struct cw_imap *m, void (*fn)(void *val));
void cw_imap_done(struct cw_imap *m, void (*fn)(void *val));
static inline size_t cw_imap_count(const struct cw_imap *m) { return m->n; }
/* for (cw_imap_iter_init(&it, m); cw_imap_next(&it);) use(it.key, it.val); */
void cw_imap_iter_init(struct cw_imap_iter *it, const struct cw_imap *m);
bool cw_imap_next(struct cw_imap_iter *it);

struct cw_smap_slot {
	char *key;    /* owned copy, NUL-terminated after len bytes */
	size_t len;
	uint64_t hash;
	void *val;    /* NULL: empty slot */
};

struct cw_smap {
	struct cw_smap_slot *slots;
	size_t n, cap;
	unsigned long gen;
};

struct cw_smap_iter {
	const struct cw_smap *m;
	size_t i;
	unsigned long gen;
	const char *key;
	size_t len;
	void *val;
};

/* Binary keys: len bytes at key. */
void *cw_smap_getb(const struct cw_smap *m, const void *key, size_t len);
void *cw_smap_putb(struct cw_smap *m, const void *key, size_t len, void *val);
void *cw_smap_delb(struct cw_smap *m, const void *key, size_t len);
/* C strings. */
void *cw_smap_get(const struct cw_smap *m, const char *key);
void *cw_smap_put(struct cw_smap *m, const char *key, void *val);
void *cw_smap_del(struct cw_smap *m, const char *key);
void cw_smap_clear(struct cw_smap *m, void (*fn)(void *val));
void cw_smap_done(struct cw_smap *m, void (*fn)(void *val));
static inline size_t cw_smap_count(const struct cw_smap *m) { return m->n; }
void cw_smap_iter_init(struct cw_smap_iter *it, const struct cw_smap *m);
bool cw_smap_next(struct cw_smap_iter *it);

#endif
