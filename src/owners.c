/* owners: socket inode -> pid and comm. */
#include "config.h"
#include "owners.h"
#include "netns.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct by_inode {
	uint32_t inode;
	size_t index;
};

static int cmp_inode(const void *a, const void *b)
{
	const struct by_inode *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Claims every socket of ours among one process's fds. */
static void scan_fds(const char *procfs, int pid, struct by_inode *idx, size_t n,
		     struct cw_owner *out)
{
	char path[4096], link[64];
	struct by_inode key, *hit;
	struct dirent *de;
	DIR *d;
	bool named = false;
	char comm[64] = "";

	snprintf(path, sizeof(path), "%s/%d/fd", procfs, pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		ssize_t l;
		uint64_t ino;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%d/fd/%s", procfs, pid, de->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l < 10 || strncmp(link, "socket:[", 8) != 0)
			continue;
		link[l - 1] = '\0'; /* drop ']' */
		if (!cw_parse_u64(link + 8, &ino) || ino > UINT32_MAX)
			continue;
		key.inode = (uint32_t)ino;
		hit = bsearch(&key, idx, n, sizeof(*idx), cmp_inode);
		if (!hit || out[hit->index].pid)
			continue;
		if (!named) {
			cw_proc_comm(procfs, pid, comm, sizeof(comm));
			named = true;
		}
		out[hit->index].pid = pid;
		memcpy(out[hit->index].comm, comm, sizeof(comm));
	}
	closedir(d);
}

void cw_owners_find(const char *procfs, uint64_t netns_inode, const struct cw_sock *socks,
		    size_t n, struct cw_owner *out)
{
	struct by_inode *idx;
	struct dirent *de;
	size_t i, m = 0;
	DIR *d;

	memset(out, 0, n * sizeof(*out));
	if (!n)
		return;
	idx = cw_xmalloc(n * sizeof(*idx));
	for (i = 0; i < n; i++)
		if (socks[i].inode) /* TIME_WAIT and request sockets have none */
			idx[m++] = (struct by_inode){socks[i].inode, i};
	qsort(idx, m, sizeof(*idx), cmp_inode);
	d = m ? opendir(procfs) : NULL;
	while (d && (de = readdir(d))) {
		uint64_t pid, ino;

		if (!cw_parse_u64(de->d_name, &pid) || pid == 0 || pid > INT32_MAX)
			continue;
		if (cw_netns_of_pid(procfs, (pid_t)pid, &ino) < 0 || ino != netns_inode)
			continue;
		scan_fds(procfs, (int)pid, idx, m, out);
	}
	if (d)
		closedir(d);
	free(idx);
}
