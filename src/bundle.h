/* bundle: an incident bundle for a ticket. For one row of a snapshot it
 * writes two new files into a directory (--bundle DIR, by default the
 * current one): a JSON file with the row as --json writes it (peers,
 * listeners, sockets when listed), its history (the last minute per tick
 * and the --history trend, with times), its baseline and its findings;
 * and a short Markdown summary of the same for pasting into a ticket.
 * Files are created new (never over an existing file, never through a
 * link), named connwatch-<label>-<UTC time>.json and .md; everything
 * quoted from outside is already sanitised and is escaped for Markdown. */
#ifndef CW_BUNDLE_H
#define CW_BUNDLE_H

#include <stdint.h>

#include "snapshot.h"

struct cw_bundle_paths {
	char json[4096], md[4096];
};

/* 0, or -errno with a one-line *cause; nothing is left half written. */
int cw_bundle_write(const struct cw_snapshot *s, uint64_t row_id, const char *dir,
		    struct cw_bundle_paths *out, char **cause);

#endif
