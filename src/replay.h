/* replay: a recording as a source of snapshots, in place of the collector.
 * Opening it indexes every whole line once (its place in the file and its
 * time), so a view can step back and forth and jump to a time; reading
 * line i parses just that line. Plain files are indexed by line; zstd
 * recordings by frame, one line per frame as connwatch writes them (a
 * .zst made otherwise, with many lines per frame, is refused with a hint
 * to decompress it first). A cut last line is left out of the index and
 * reported (cw_replay_partial); a corrupt line is an error naming it when
 * it is read. Each snapshot read back carries its place (s->replay). */
#ifndef CW_REPLAY_H
#define CW_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct cw_replay;

/* 0, or -errno with a one-line *cause. */
int cw_replay_open(struct cw_replay **out, const char *path, char **cause);
size_t cw_replay_count(const struct cw_replay *r);
/* Bytes of a cut last line left out (0: none). */
size_t cw_replay_partial(const struct cw_replay *r);
/* The recorded time of line i (0-based), from the index. */
int64_t cw_replay_time(const struct cw_replay *r, size_t i);
/* The first line recorded at or after t; the last line if none. */
size_t cw_replay_find(const struct cw_replay *r, int64_t t);
/* Line i as a snapshot, or NULL with *cause naming the line. */
struct cw_snapshot *cw_replay_read(struct cw_replay *r, size_t i, char **cause);
void cw_replay_close(struct cw_replay *r);

#endif
