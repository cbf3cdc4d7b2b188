/* workload: pod name -> workload name. */
#include "config.h"
#include "workload.h"
#include "util.h"

#include <stdbool.h>
#include <string.h>

/* Kubernetes' random suffixes and pod-template-hashes are drawn from this
 * alphabet (no vowels, no 0/1/3), which keeps ordinary words out. */
static bool safe_chars(const char *s, size_t n)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr(alphabet, s[i]) || s[i] == '\0')
			return false;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Length of name without its last "-segment", or 0 if it has none. */
static size_t strip_last(const char *name, size_t len, const char **seg, size_t *seglen)
{
	size_t i = len;

	while (i > 0 && name[i - 1] != '-')
		i--;
	if (i <= 1)
		return 0;
	*seg = name + i;
	*seglen = len - i;
	return i - 1;
}

void cw_workload_from_pod(const char *pod, char *buf, size_t n)
{
	size_t len = strlen(pod), base, base2, sl, sl2;
	const char *seg, *seg2;

	base = strip_last(pod, len, &seg, &sl);
	if (base && sl == 5 && safe_chars(seg, sl)) {
		/* ReplicaSet: name-<template hash>-<5>; hashes are up to 10 chars. */
		base2 = strip_last(pod, base, &seg2, &sl2);
		if (base2 && sl2 >= 6 && sl2 <= 10 && safe_chars(seg2, sl2))
			len = base2;
		else
			len = base; /* DaemonSet or Job: name-<5> */
	} else if (base && sl <= 5 && all_digits(seg, sl)) {
		len = base;       /* StatefulSet: name-<ordinal> */
	}
	if (n == 0)
		return;
	len = cw_utf8_truncate(pod, len, n - 1); /* a whole character or none */
	memcpy(buf, pod, len);
	buf[len] = '\0';
}
