/* privs: drop what is not needed. */
#include "config.h"
#include "privs.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

static const cap_value_t keep_caps[] = {CAP_DAC_READ_SEARCH, CAP_SYS_ADMIN, CAP_SYS_PTRACE};

static bool to_keep(cap_value_t c, bool bpf)
{
	size_t i;

	if (bpf && (c == CW_CAP_BPF || c == CW_CAP_PERFMON))
		return true;
	for (i = 0; i < CW_ARRAY_LEN(keep_caps); i++)
		if (keep_caps[i] == c)
			return true;
	return false;
}

int cw_privs_drop(bool bpf, char **cause)
{
	cap_t now, want;
	cap_value_t c, last = (cap_value_t)cap_max_bits() - 1;
	cap_flag_value_t v;
	int dropped = 0, e;

	/* It never runs another program: no exec can gain privileges. */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	now = cap_get_proc();
	if (!now)
		return cw_cause(cause, -errno, "reading capabilities: %s", strerror(errno));
	/* The bounding set first: dropping from it needs CAP_SETPCAP, which
	 * goes with the permitted set below. */
	if (cap_get_flag(now, CAP_SETPCAP, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
		for (c = 0; c <= last; c++)
			if (!to_keep(c, bpf) && cap_get_bound(c) == 1)
				cap_drop_bound(c);
	want = cap_init();
	for (c = 0; c <= last; c++) {
		if (cap_get_flag(now, c, CAP_PERMITTED, &v) != 0 || v != CAP_SET)
			continue;
		if (!to_keep(c, bpf)) {
			dropped++;
			continue;
		}
		cap_set_flag(want, CAP_PERMITTED, 1, &c, CAP_SET);
		if (cap_get_flag(now, c, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
			cap_set_flag(want, CAP_EFFECTIVE, 1, &c, CAP_SET);
	}
	if (dropped && cap_set_proc(want) != 0) {
		e = errno;
		cap_free(want);
		cap_free(now);
		return cw_cause(cause, -e, "dropping capabilities: %s", strerror(e));
	}
	cap_free(want);
	cap_free(now);
	return dropped;
}

bool cw_privs_have(int cap)
{
	cap_t now = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (!now)
		return false;
	cap_get_flag(now, (cap_value_t)cap, CAP_EFFECTIVE, &v);
	cap_free(now);
	return v == CAP_SET;
}
