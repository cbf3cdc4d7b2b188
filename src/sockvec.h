/* sockvec: a growable array of sockets, the buffer a dump fills before
 * aggregation. */
#ifndef CW_SOCKVEC_H
#define CW_SOCKVEC_H

#include <stddef.h>

#include "snapshot.h"

struct cw_sockvec {
	struct cw_sock *v;
	size_t n, cap;
};

/* Appends a zeroed socket and returns it. */
struct cw_sock *cw_sockvec_push(struct cw_sockvec *sv);
void cw_sockvec_clear(struct cw_sockvec *sv);
void cw_sockvec_done(struct cw_sockvec *sv);
/* Gives back room beyond max(n, keep) sockets. */
void cw_sockvec_shrink(struct cw_sockvec *sv, size_t keep);

#endif
