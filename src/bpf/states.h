/* states.h: the layout shared by the BPF program (states.bpf.c) and its
 * reader (src/events.c): map keys, values and sizes. Plain fixed-width
 * types only, since both clang -target bpf and the host compiler see it. */
#ifndef CW_BPF_STATES_H
#define CW_BPF_STATES_H

/* Kernel TCP states are 1..12 (TCP_NEW_SYN_RECV); slots up to 15. */
#define CW_EV_NSTATES 16
/* Namespaces counted at once; a new one past this is not counted (see
 * states.bpf.c and events.c for what happens then). */
#define CW_EV_MAX_NETNS 8192
/* (namespace, new state, comm) keys counted at once. */
#define CW_EV_MAX_TRANS 16384
#define CW_EV_COMM_LEN 16

/* The full counter's slots (an array map of one per-CPU value each). */
enum {
	CW_EV_FULL_STATES = 0, /* a namespace found the state map full */
	CW_EV_FULL_TRANS = 1,  /* a transition found the comm map full */
	CW_EV_EVENTS = 2,      /* TCP state changes seen */
	CW_EV_NFULL = 3,
};

/* Per namespace, per CPU: sockets that entered and left each state. */
struct cw_ev_counts {
	__u64 enter[CW_EV_NSTATES];
	__u64 leave[CW_EV_NSTATES];
};

struct cw_ev_trans_key {
	__u32 netns;
	__u32 state;             /* the new state; TIME_WAIT for a close into it */
	char comm[CW_EV_COMM_LEN];
};

#endif
