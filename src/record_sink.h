/* record_sink: the --record output. Appends every snapshot to a recording
 * (recfile), beside the live view or another output, or alone with
 * --daemon. Its first snapshot is exact everywhere (it asks the collector
 * for that, as --json does). A write that fails (a full disk) does not end the run: the
 * sink says so through the app's note, which the live view shows on its
 * status line, and tries again on the next snapshot; the note goes once a
 * write succeeds. Opening the file is the only error that stops the
 * program (at start, before anything runs). */
#ifndef CW_RECORD_SINK_H
#define CW_RECORD_SINK_H

#include "opts.h"
#include "sink.h"

struct cw_sink *cw_record_sink_new(const struct cw_opts *o);

#endif
