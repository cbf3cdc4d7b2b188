/* test_workload: pod name -> owning workload name. */
#include "config.h"
#include "tap.h"
#include "utf8_valid.h"
#include "workload.h"

static void wl(const char *pod, const char *want, const char *why)
{
	char buf[256];

	memset(buf, 'Z', sizeof(buf));
	cw_workload_from_pod(pod, buf, sizeof(buf));
	is_str(buf, want, "%s: '%s'", why, pod);
}

int main(void)
{
	char small[4];

	/* ReplicaSet (Deployment): name-<pod-template-hash>-<5 random>. */
	wl("web-5d8f7c9b6-x2k4q", "web", "replicaset, 9-char hash");
	wl("api-gateway-7d9f8b6c5-k2m4n", "api-gateway", "replicaset, dashed name");
	wl("coredns-5dd5756b68-7xq2z", "coredns", "replicaset, 10-char hash");
	wl("web-5d8f7c-x2k4q", "web", "replicaset, 6-char hash (shortest)");
	wl("web-5d8f7c9b6f-x2k4q", "web", "replicaset, 10-char hash (longest)");
	wl("web-5d8f7c9b6fz-x2k4q", "web-5d8f7c9b6fz", "11-char hash: not a replicaset, suffix only");
	wl("web-5d8f7-x2k4q", "web-5d8f7", "5-char hash: not a replicaset, suffix only");

	/* Vowels, 0, 1 or 3 never occur in generated suffixes. */
	wl("api-6a8b9c7d5-x2k4q", "api-6a8b9c7d5", "vowel in the hash position: not a hash");
	wl("api-5d8f7c9b3-x2k4q", "api-5d8f7c9b3", "'3' in the hash position: not a hash");
	wl("app-5d8f7c9b6-abcde", "app-5d8f7c9b6-abcde", "vowels in the suffix position: no match");
	wl("my-app-hello", "my-app-hello", "ordinary words are kept");
	wl("web-x2k0q", "web-x2k0q", "'0' in the suffix: no match");

	/* StatefulSet: name-<ordinal>. */
	wl("db-0", "db", "statefulset ordinal 0");
	wl("kafka-broker-12", "kafka-broker", "statefulset, dashed name");
	wl("db-99999", "db", "statefulset, 5-digit ordinal");
	wl("db-123456", "db-123456", "6 digits: not an ordinal");

	/* DaemonSet or Job: name-<5 random>. */
	wl("node-exporter-x2k4q", "node-exporter", "daemonset");
	wl("kube-proxy-7lzqv", "kube-proxy", "daemonset (kube-proxy)");
	wl("backup-28391234-x2k4q", "backup-28391234", "cronjob's job pod: the job");

	/* Bare and odd names. */
	wl("nginx", "nginx", "single segment");
	wl("x2k4q", "x2k4q", "single segment that looks like a suffix");
	wl("-x2k4q", "-x2k4q", "leading dash");
	wl("web-", "web-", "trailing dash");
	wl("web--x2k4q", "web-", "double dash");
	wl("a-x2k4q", "a", "one-letter name");
	wl("WEB-X2K4Q", "WEB-X2K4Q", "uppercase is not the generated alphabet");
	wl("", "", "empty");
	wl("-", "-", "a lone dash");
	wl("web-x2k4", "web-x2k4", "4-char suffix");
	wl("web-x2k4qq", "web-x2k4qq", "6-char suffix");

	/* Output is cut to the buffer. */
	cw_workload_from_pod("web-5d8f7c9b6-x2k4q", small, sizeof(small));
	is_str(small, "web", "fits exactly in 4 bytes");
	cw_workload_from_pod("frontend-5d8f7c9b6-x2k4q", small, sizeof(small));
	is_str(small, "fro", "truncated to the buffer");

	/* A long UTF-8 name is cut between characters, never inside one:
	 * "ab" + 150 x U+00E9 is 302 bytes; 255 would split the 127th. */
	{
		char pod[512], buf[256], want[256];
		size_t i;

		snprintf(pod, sizeof(pod), "ab");
		for (i = 0; i < 150; i++)
			strcat(pod, "\xc3\xa9");
		memcpy(want, pod, 254);
		want[254] = '\0';
		memset(buf, 'Z', sizeof(buf));
		cw_workload_from_pod(pod, buf, sizeof(buf));
		ok(utf8_valid(buf), "ab + 150 x e-acute, into 256 bytes: valid UTF-8");
		is_int(strlen(buf), 254, "... cut before the character that does not fit");
		is_str(buf, want, "... the whole characters that fit");
		/* A 4-byte character straddling the end of a small buffer. */
		cw_workload_from_pod("ab\xf0\x9f\x98\x80", small, sizeof(small));
		is_str(small, "ab", "a 4-byte character that does not fit is dropped whole");
		cw_workload_from_pod("a\xe2\x82\xac-0", small, sizeof(small));
		is_str(small, "a", "a 3-byte character with 2 bytes of room is dropped whole");
		cw_workload_from_pod("a\xe2\x82\xac-0", buf, 5);
		is_str(buf, "a\xe2\x82\xac", "... and with exactly 3 it is kept");
	}
	return tap_done();
}
