/* json_out: writes a snapshot as one JSON document (schema 2), walking the
 * key tables of json_schema. Keys that do not apply to a row are omitted.
 * The format is documented in README.md. */
#ifndef CW_JSON_OUT_H
#define CW_JSON_OUT_H

#include "json_schema.h"
#include "snapshot.h"

/* Returns a newly allocated single-line JSON document. */
char *cw_json_snapshot(const struct cw_snapshot *s);

#endif
