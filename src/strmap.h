/* strmap: a string-keyed hash map (open addressing). Keys are copied; values
 * are borrowed pointers. Superseded by struct cw_smap (map.h); kept only
 * because src/history.c still walks its slots, until history moves to
 * cw_smap/cw_imap. New code uses map.h. */
#ifndef CW_STRMAP_H
#define CW_STRMAP_H

#include <stddef.h>

struct cw_strmap_slot {
	char *key;
	void *val;
};

struct cw_strmap {
	struct cw_strmap_slot *slots;
	size_t n, cap;
};

void *cw_strmap_get(const struct cw_strmap *m, const char *key);
/* Sets key to val; returns the previous value (or NULL). */
void *cw_strmap_put(struct cw_strmap *m, const char *key, void *val);
/* Removes key; returns its value (or NULL). */
void *cw_strmap_del(struct cw_strmap *m, const char *key);
/* Calls fn on each value, then empties the map. */
void cw_strmap_clear(struct cw_strmap *m, void (*fn)(void *val));
void cw_strmap_done(struct cw_strmap *m, void (*fn)(void *val));

#endif
