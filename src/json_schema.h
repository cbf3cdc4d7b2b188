/* json_schema: the one description of a snapshot's JSON form (schema 2).
 * Every JSON object of a snapshot (the document, collector, row, pod,
 * counters, peer, listener, socket, tcp_info) is a table of its keys, in
 * the order they are written. A table row names the key, a converter (how
 * the value is written and read), where the value lives in the C struct,
 * and when the key is written. json_out walks these tables to write a
 * snapshot and json_in walks the same tables to read one back, so a key is
 * read exactly as it is written, and a key no table knows is refused.
 *
 * Adding a field is one row in its object's table, for example
 *	{"diag_rejected", &cw_json_uint, CW_JSON_AT(struct cw_collector_stats, diag_rejected)},
 * and, for a new object, one new table. Converters for what needs code
 * (addresses, TCP state maps, times, enums) come in pairs, put and get. */
#ifndef CW_JSON_SCHEMA_H
#define CW_JSON_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"

/* Where a value lives: its offset and size in the struct. */
#define CW_JSON_AT(type, member) .off = offsetof(type, member), .size = sizeof(((type *)0)->member)

/* The object being written or read: one struct, or two side by side (a
 * socket is a struct cw_sock and, in part[1], its struct cw_owner). A
 * field of a missing part (NULL) is neither written nor read. */
struct cw_json_ref {
	void *part[2];
};

/* One read: where memory comes from, where we are (for the causes), and
 * the cause of a refusal. */
struct cw_json_reader {
	struct cw_arena *arena;
	char **cause;
	size_t len;            /* of path */
	char path[256];        /* "netns[3].peers[0]" */
};

struct cw_json_field;
struct cw_json_object;

struct cw_json_conv {
	const char *name;
	/* The value to write, or NULL to leave the key out. */
	cJSON *(*put)(const struct cw_json_field *f, const struct cw_json_ref *o);
	/* Reads v into the object; false with a cause naming the key. */
	bool (*get)(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		    const struct cw_json_ref *o);
	/* Optional: sets the value when the key is absent (a total from its parts). */
	bool (*absent)(struct cw_json_reader *r, const struct cw_json_field *f,
		       const struct cw_json_ref *o);
};

/* A condition on the object: the key is written only when it holds, and
 * refused on reading when it does not (the cause is `otherwise`). Guards
 * may look at keys earlier in the table, which are read first. */
struct cw_json_guard {
	bool (*holds)(const struct cw_json_ref *o);
	const char *otherwise;
};

enum {
	CW_JSON_REQUIRED = 1 << 0,  /* reading: absent is an error */
	CW_JSON_OMIT_ZERO = 1 << 1, /* writing: 0, false or time 0 is left out */
	CW_JSON_NONZERO = 1 << 2,   /* reading: zero is refused */
	CW_JSON_FLAGGED = 1 << 3,   /* written only when the bool at .flag is true; reading sets it */
};

struct cw_json_field {
	const char *key;
	const struct cw_json_conv *conv;
	size_t off, size;                   /* the value (CW_JSON_AT) */
	unsigned flags;                     /* CW_JSON_* */
	unsigned part;                      /* 1: the value is in the object's second struct */
	const struct cw_json_guard *when;
	size_t flag;                        /* CW_JSON_FLAGGED: offset of the bool */
	size_t count;                       /* lists and their totals: offset of the size_t count */
	size_t states;                      /* totals of a TCP state map: offset of the map */
	const struct cw_json_object *sub;   /* objects and lists of objects */
	const void *aux;                    /* converter-specific (see each converter) */
};

/* Every table fits in this many keys (json_in keeps one slot per key). */
#define CW_JSON_MAXKEYS 48

struct cw_json_object {
	const char *name;                   /* "row", "peer", ... */
	const struct cw_json_field *fields;
	size_t nfields;
	size_t size;                        /* of one element, in a list */
	/* Optional: defaults before reading, checks after. */
	void (*init)(const struct cw_json_ref *o);
	bool (*finish)(struct cw_json_reader *r, const struct cw_json_ref *o);
};

/* The document (struct cw_snapshot), and every object table reachable from
 * it, NULL-terminated (for the tests). */
extern const struct cw_json_object cw_json_snapshot_object;
extern const struct cw_json_object *const cw_json_objects[];
/* One element of the document's "netns" list (for writing row by row). */
extern const struct cw_json_object *const cw_json_row_object;
/* One element of the document's "findings" list. */
extern const struct cw_json_object *const cw_json_finding_object;

/* Converters that tables outside this module may use too. */
extern const struct cw_json_conv cw_json_uint;   /* unsigned of .size bytes; aux: NULL */
extern const struct cw_json_conv cw_json_i64;    /* int64_t, whole */
extern const struct cw_json_conv cw_json_ms;     /* double, finite, >= 0 */
extern const struct cw_json_conv cw_json_number; /* double, finite */
extern const struct cw_json_conv cw_json_bool;   /* bool */
extern const struct cw_json_conv cw_json_str;    /* const char *, sanitised; NULL is left out */
extern const struct cw_json_conv cw_json_u64str; /* uint64_t as a decimal string */
extern const struct cw_json_conv cw_json_stamp;  /* int64_t ms since the epoch, RFC 3339 */
extern const struct cw_json_conv cw_json_obj;    /* a struct at .off, described by .sub */
extern const struct cw_json_conv cw_json_list;   /* a pointer at .off to .count elements of .sub */

/* Writes the object's keys as its table says. Never NULL. */
cJSON *cw_json_schema_write(const struct cw_json_object *t, const struct cw_json_ref *o);
/* Reads v, which must be a JSON object, into o: unknown and repeated keys,
 * wrong types and missing required keys are refused with a cause that
 * names the path and the key. */
bool cw_json_schema_read(struct cw_json_reader *r, const struct cw_json_object *t, const cJSON *v,
			 const struct cw_json_ref *o);

/* Sets the reader's cause to "path.key: what" (sanitised) and returns
 * false. key may be NULL. */
bool cw_json_reader_fail(struct cw_json_reader *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* What a value is ("a number", "an array", "null"), for causes such as
 * "not a string (found a number)". */
const char *cw_json_type_name(const cJSON *v);
/* Appends ".key" or "[i]" to the path; returns the length to restore. */
size_t cw_json_reader_push_key(struct cw_json_reader *r, const char *key);
size_t cw_json_reader_push_index(struct cw_json_reader *r, size_t i);
void cw_json_reader_pop(struct cw_json_reader *r, size_t len);

/* Formats ms since the epoch as RFC 3339 UTC with milliseconds; times
 * before 1970 too. Clamped to years 0000 to 9999. */
void cw_json_time(int64_t ms, char *buf, size_t n);
/* Parses exactly "YYYY-MM-DDTHH:MM:SS.mmmZ". */
bool cw_json_time_parse(const char *s, int64_t *ms);

#endif
