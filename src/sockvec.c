/* sockvec: a growable array of sockets. */
#include "config.h"
#include "sockvec.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct cw_sock *cw_sockvec_push(struct cw_sockvec *sv)
{
	struct cw_sock *s;

	cw_xgrow((void **)&sv->v, &sv->cap, sv->n + 1, sizeof(*sv->v));
	s = &sv->v[sv->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

void cw_sockvec_clear(struct cw_sockvec *sv)
{
	sv->n = 0;
}

void cw_sockvec_done(struct cw_sockvec *sv)
{
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void cw_sockvec_shrink(struct cw_sockvec *sv, size_t keep)
{
	if (keep < sv->n)
		keep = sv->n;
	if (sv->cap <= keep)
		return;
	if (!keep) {
		cw_sockvec_done(sv);
		return;
	}
	sv->v = cw_xrealloc(sv->v, keep * sizeof(*sv->v));
	sv->cap = keep;
}
