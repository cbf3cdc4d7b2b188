/* fuzz_diag: bytes -> cw_diag_parse, as if one recv() of a sock_diag dump
 * returned them. The request's sequence number is taken from the first
 * header, so captured dumps used as seeds are parsed, not skipped. */
#include "config.h"

#include <stdlib.h>

#include "diag_parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cw_sockvec out = {0};
	struct cw_diag_parse_stats stats = {0};
	uint32_t seq = 0;
	char *cause = NULL;
	/* An exact-size heap copy: a read past the end is an ASan report. */
	void *buf = cw_xmalloc(size ? size : 1);

	if (size)
		memcpy(buf, data, size);
	if (size >= 12)
		memcpy(&seq, data + 8, sizeof(seq)); /* nlmsghdr.nlmsg_seq */
	cw_diag_parse(buf, size, seq, &out, &stats, &cause);
	free(cause);
	cw_sockvec_done(&out);
	free(buf);
	return 0;
}
