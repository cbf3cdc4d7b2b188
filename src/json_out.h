/* json_out: writes a snapshot as one JSON document (schema 2), walking the
 * key tables of json_schema. Keys that do not apply to a row are omitted.
 * The format is documented in README.md. */
#ifndef CW_JSON_OUT_H
#define CW_JSON_OUT_H

#include <stdio.h>

#include "json_schema.h"
#include "snapshot.h"

/* Returns a newly allocated single-line JSON document. */
char *cw_json_snapshot(const struct cw_snapshot *s);
/* Writes the same document and a newline to f, one row at a time, so a
 * node with very many namespaces never holds the whole document in
 * memory. Returns 0, or -errno from the stream. */
int cw_json_write(FILE *f, const struct cw_snapshot *s);

#endif
