// SPDX-License-Identifier: GPL-2.0
/* states.bpf.c: counts TCP state changes in the kernel, per network
 * namespace, for src/events.c. Nothing is sent per event: user space reads
 * the two per-CPU maps once per tick and sums the CPUs.
 *
 *   states: netns inode -> sockets that entered and left each state.
 *   trans:  (netns inode, new state, comm) -> transitions, the
 *           "@[newstate, comm] = count()" view of incident guides.
 *
 * Both maps are bounded. When one is full a new key is not added: the
 * event is not counted, and the "full" counter says so. For the states map
 * user space then stops trusting every live count until the namespace's
 * next dump re-seeds it (a namespace counted only from some point on would
 * be wrong by the events it missed), and deletes the keys of namespaces
 * that vanished. For the trans map, a rate is missing for the new keys;
 * user space prunes keys that stopped moving. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "states.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define S_ESTABLISHED 1
#define S_SYN_RECV 3
#define S_FIN_WAIT1 4
#define S_FIN_WAIT2 5
#define S_TIME_WAIT 6
#define S_CLOSE 7
#define S_LISTEN 10
#define S_CLOSING 11
#define E2BIG 7
#define EEXIST 17

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, CW_EV_MAX_NETNS);
	__type(key, __u32);
	__type(value, struct cw_ev_counts);
} states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, CW_EV_MAX_TRANS);
	__type(key, struct cw_ev_trans_key);
	__type(value, __u64);
} trans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CW_EV_NFULL);
	__type(key, __u32);
	__type(value, __u64);
} full SEC(".maps");

static const struct cw_ev_counts zero_counts;

static __always_inline void bump_full(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&full, &slot);

	if (v)
		*v += 1;
}

static __always_inline int on_change(const struct sock *sk, int oldstate, int newstate)
{
	struct cw_ev_trans_key tk = {};
	struct cw_ev_counts *c;
	__u64 one = 1, *n;
		__u32 ns, from = (__u32)oldstate, to = (__u32)newstate;

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (!from || from >= CW_EV_NSTATES || !to || to >= CW_EV_NSTATES)
		return 0;
	/* The mask again, where the compiler cannot drop it as redundant:
	 * clang re-derives the index from a spilled copy the verifier knows
	 * no bound of. */
	asm volatile("" : "+r"(from), "+r"(to));
	from &= CW_EV_NSTATES - 1;
	to &= CW_EV_NSTATES - 1;
	ns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	bump_full(CW_EV_EVENTS);

	c = bpf_map_lookup_elem(&states, &ns);
	if (!c) {
		/* BPF_NOEXIST: another CPU may have added it meanwhile. */
		long r = bpf_map_update_elem(&states, &ns, &zero_counts, BPF_NOEXIST);

		if (r && r != -EEXIST)
			bump_full(CW_EV_FULL_STATES);
		c = bpf_map_lookup_elem(&states, &ns);
	}
	if (c) {
		c->enter[to] += 1;
		/* A passive open's child is cloned from its listener and set to
		 * SYN_RECV: the tracepoint reports LISTEN -> SYN_RECV, but the
		 * listener itself stays in LISTEN. */
		if (!(oldstate == S_LISTEN && newstate == S_SYN_RECV))
			c->leave[from] += 1;
	}

	tk.netns = ns;
	tk.state = newstate;
	/* A close into TIME_WAIT shows as FIN_WAIT1/FIN_WAIT2/CLOSING -> CLOSE,
	 * after the socket was swapped for its timewait socket in the
	 * established hash (inet_twsk_hashdance): the full socket is already
	 * unhashed here, which a reset or a timeout in those states leaves
	 * hashed until tcp_set_state(CLOSE) itself. */
	if (newstate == S_CLOSE &&
	    (oldstate == S_FIN_WAIT1 || oldstate == S_FIN_WAIT2 || oldstate == S_CLOSING) &&
	    !BPF_CORE_READ(sk, __sk_common.skc_nulls_node.pprev))
		tk.state = S_TIME_WAIT;
	bpf_get_current_comm(tk.comm, sizeof(tk.comm));
	n = bpf_map_lookup_elem(&trans, &tk);
	if (n) {
		*n += 1;
	} else {
		/* A new key holds 1 on this CPU and 0 on the others. */
		long r = bpf_map_update_elem(&trans, &tk, &one, BPF_NOEXIST);

		if (r == -EEXIST && (n = bpf_map_lookup_elem(&trans, &tk)))
			*n += 1;
		else if (r && r != -EEXIST)
			bump_full(CW_EV_FULL_TRANS);
	}
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(cw_set_state, const struct sock *sk, int oldstate, int newstate)
{
	return on_change(sk, oldstate, newstate);
}

/* The raw tracepoint, for kernels whose BTF lacks the typed one. */
SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(cw_set_state_raw, const struct sock *sk, int oldstate, int newstate)
{
	return on_change(sk, oldstate, newstate);
}
