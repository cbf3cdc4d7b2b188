/* json_sink: the --json output. Prints each snapshot whole, as one line,
 * on the app's loop thread, so a signal stops it between documents and
 * stdout never holds a partial one. Ends the run after --count documents,
 * or quietly when stdout is a closed pipe. */
#ifndef CW_JSON_SINK_H
#define CW_JSON_SINK_H

#include <stdio.h>

#include "opts.h"
#include "sink.h"

/* out is where documents go (stdout in the program). */
struct cw_sink *cw_json_sink_new(const struct cw_opts *o, FILE *out);

#endif
