/* recfile: recording files, both ways. A recording is NDJSON: one snapshot
 * per line, in the current schema, as --json writes it. It is plain text,
 * or zstd when the name ends in ".zst" (libzstd); on reading, the zstd
 * magic number says which, whatever the name.
 *
 * Each compressed line is a zstd frame of its own, and each line reaches
 * the file with one write() of its own: a recording killed at any moment,
 * or cut short by a full disk, is whole up to its last complete line, and
 * a failed write is truncated away so later lines follow whole ones. A
 * frame per line costs some compression (no context across snapshots) and
 * buys that simplicity; `zstd -d` and `zstdcat` read the concatenated
 * frames as one stream.
 *
 * Rotation by size: when a file passes max bytes it is closed and renamed
 * FILE.1 (FILE.1 to FILE.2 and so on; a .zst name keeps its suffix last:
 * rec.ndjson.1.zst), keeping keep files in all, the oldest deleted. */
#ifndef CW_RECFILE_H
#define CW_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* Longest line the reader accepts. */
#define CW_RECFILE_MAX_LINE (256u << 20)

struct cw_recw;

/* Opens (creates, or appends to) a recording. max_bytes 0: no rotation;
 * keep: files kept in all, at least 1. 0, or -errno with *cause. */
int cw_recw_open(struct cw_recw **out, const char *path, uint64_t max_bytes, unsigned keep,
		 char **cause);
/* Appends one snapshot as a line; rotates first when the file is full.
 * 0, or -errno with *cause (the file is left ending with a whole line). */
int cw_recw_write(struct cw_recw *w, const struct cw_snapshot *s, char **cause);
/* Bytes written to the current file, and the path of the current file. */
uint64_t cw_recw_size(const struct cw_recw *w);
const char *cw_recw_path(const struct cw_recw *w);
void cw_recw_close(struct cw_recw *w);

/* The name of rotated file n (n >= 1) of path; newly allocated. */
char *cw_recfile_rotated(const char *path, unsigned n);

struct cw_recr;

/* Opens a recording for reading. 0, or -errno with *cause. */
int cw_recr_open(struct cw_recr **out, const char *path, char **cause);
/* The next line: 1 with *line (NUL-terminated, without its newline, valid
 * until the next call) and *lineno (from 1); 0 at the end; -errno with a
 * cause naming the line on a corrupt or unreadable file. A last line with
 * no newline is not returned: cw_recr_partial() then says so. */
int cw_recr_next(struct cw_recr *r, const char **line, size_t *lineno, char **cause);
/* At the end: the bytes of a cut last line that were thrown away (0: none). */
size_t cw_recr_partial(const struct cw_recr *r);
/* Whether a zstd frame's magic number appears in buf[0..len). A frame left
 * open at the end of a recording is the last one written, cut short,
 * unless another frame begins after its start: then its header was
 * corrupt (a size that swallowed the frames after it). */
bool cw_zstd_magic_in(const void *buf, size_t len);
bool cw_recr_compressed(const struct cw_recr *r);
void cw_recr_close(struct cw_recr *r);

#endif
