/* fuzz_podfiles: bytes -> the parsers of a pod's own files: resolv.conf
 * (then RES_OPTIONS and LOCALDOMAIN applied to it), environ (whole and as
 * a truncated prefix) and limits. All run on every input. Aborts when a
 * promise breaks: lists within their bounds and counts, every kept string
 * terminated within its buffer, valid UTF-8 and sanitised (no control
 * byte), option values within 0..999 or unset, a limits answer only with
 * success, and a summary line within any buffer size, as clean. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"
#include "podfiles.h"
#include "utf8_valid.h"

static void check_str(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size || !utf8_valid(s))
		abort(); /* not terminated within its buffer, or not UTF-8 */
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void check_opt(int v)
{
	if (v < -1 || v > 999)
		abort();
}

static void check_resolv(const struct cw_resolv *r)
{
	size_t i;

	if (r->nns > CW_RESOLV_MAXNS || r->nns > r->nns_all)
		abort();
	if (r->nsearch > CW_RESOLV_MAXSEARCH || r->nsearch > r->nsearch_all)
		abort();
	for (i = 0; i < r->nsearch; i++)
		check_str(r->search[i], sizeof(r->search[i]));
	for (i = 0; i < r->nns; i++)
		if (r->ns[i].family != 2 && r->ns[i].family != 10) /* AF_INET, AF_INET6 */
			abort();
	check_opt(r->ndots);
	check_opt(r->timeout);
	check_opt(r->attempts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct cw_resolv r;
	struct cw_podenv e;
	struct cw_nofile n = {7, 7};
	int rc;

	cw_podfiles_parse_resolv(text, size, &r);
	check_resolv(&r);
	cw_podfiles_parse_environ(text, size, false, &e);
	check_str(e.netdns, sizeof(e.netdns));
	check_str(e.res_options, sizeof(e.res_options));
	check_str(e.localdomain, sizeof(e.localdomain));
	cw_podfiles_apply_env(&r, &e);
	check_resolv(&r);
	{
		char sum[300];
		size_t n = 1 + size % sizeof(sum);

		cw_podfiles_summary(&r, &e, sum, n);
		check_str(sum, n);
		if (cw_podfiles_names_per_lookup(&r, (unsigned)size % 8) > r.nsearch_all + 1)
			abort();
	}
	cw_podfiles_parse_environ(text, size, true, &e);
	if (!e.truncated)
		abort();
	check_str(e.localdomain, sizeof(e.localdomain));
	rc = cw_podfiles_parse_limits(text, size, &n);
	if (rc != 0 && rc != -ENOENT && rc != -EBADMSG)
		abort();
	if (rc != 0 && (n.soft != 7 || n.hard != 7))
		abort(); /* a failure must not half-fill the answer */
	free(text);
	return 0;
}
