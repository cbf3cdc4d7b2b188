/* json_out: writes a snapshot as one JSON document (schema 1). Keys that do
 * not apply to a row are omitted. The format is documented in README.md. */
#ifndef CW_JSON_OUT_H
#define CW_JSON_OUT_H

#include "snapshot.h"

/* Returns a newly allocated single-line JSON document. */
char *cw_json_snapshot(const struct cw_snapshot *s);
/* Formats ms since the epoch as RFC 3339 UTC with milliseconds. */
void cw_json_time(int64_t ms, char *buf, size_t n);

#endif
