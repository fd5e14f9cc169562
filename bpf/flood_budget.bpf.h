/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flood fairness: a per-process budget on the records one process can put
 * into the shared ring buffer, so that a process writing millions of tiny
 * messages (or opening thousands of connections) to a watched socket cannot
 * push another process's connect and request out of the ring.
 *
 * Policy (every tier: emit() in common.bpf.h asks flood_admit() first):
 *  - Two token buckets per tgid (GCRA: one "theoretical arrival time" each):
 *    "open" for new connections (connect, connect attempt, or the first send
 *    of a connection whose connect was not seen) and "send" for the rest
 *    (later sends, daemon replies, which are budgeted under the daemon).
 *  - A connect that was admitted also admits its connection's first send
 *    free of charge: the request line of every admitted connection is kept.
 *  - In socket-tp and on >= 6.7 kernels a connect produces an attempt record
 *    and a connect record: the decision is taken once per connection (the
 *    per-connection state below) so the pair is never split.
 *  - Suppressed records are counted per tgid (sends, bytes, opens) in
 *    flood_state, with the caller's identity; userspace turns the counts into
 *    `flood-suppressed` events. The first send admitted on a connection after
 *    suppressed ones carries SW_F_FLOOD_GAP (the decoder resyncs there).
 *  - Budgets are per process: a flooder that forks N processes gets N
 *    budgets (the ring buffer and its loss counter are then the limit).
 *  - The state maps are LRU: an evicted process starts with a full budget.
 */
#ifndef SOCKWARDEN_FLOOD_BUDGET_BPF_H
#define SOCKWARDEN_FLOOD_BUDGET_BPF_H

/* Rates in records per second per process; 0 disables that bucket. */
const volatile __u32 flood_send_rate = 5000;
const volatile __u32 flood_send_burst = 10000;
const volatile __u32 flood_open_rate = 500;
const volatile __u32 flood_open_burst = 1000;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32); /* tgid */
	__type(value, struct sw_flood_state);
} flood_state SEC(".maps");

/* Per connection (the caller's socket inode): where its budget stands. */
enum {
	SW_CONN_OPEN = 1,           /* open admitted; its first send is free */
	SW_CONN_OPEN_SUPPRESSED = 2, /* open suppressed (its attempt/connect pair follows suit) */
	SW_CONN_DATA = 3,           /* sends are budgeted */
	SW_CONN_GAP = 4,            /* a send was suppressed since the last admitted one */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} flood_conns SEC(".maps");

/* GCRA: admit if the bucket's arrival time is at most 'burst' intervals ahead. */
static __always_inline bool flood_take(__u64 *tat, __u64 now, __u32 rate, __u32 burst)
{
	if (!rate)
		return true;
	__u64 interval = 1000000000ull / rate;
	__u64 t = *tat;
	if (t < now)
		t = now;
	if (t - now >= (__u64)(burst ? burst : 1) * interval)
		return false;
	*tat = t + interval;
	return true;
}

static __always_inline struct sw_flood_state *flood_state_of(__u32 tgid)
{
	struct sw_flood_state *st = bpf_map_lookup_elem(&flood_state, &tgid);
	if (st)
		return st;
	struct sw_flood_state fresh = {};
	bpf_map_update_elem(&flood_state, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&flood_state, &tgid);
}

static __always_inline void flood_set_conn(__u64 conn, __u8 state)
{
	if (conn)
		bpf_map_update_elem(&flood_conns, &conn, &state, BPF_ANY);
}

/* Count a suppressed record under the caller's entry, with who it is. */
static __always_inline bool flood_suppress(struct sw_flood_state *st, const struct sw_event *ev, bool open)
{
	if (open)
		__sync_fetch_and_add(&st->suppressed_opens, 1);
	else
		__sync_fetch_and_add(&st->suppressed_sends, 1);
	__sync_fetch_and_add(&st->suppressed_bytes, ev->bytes);
	st->last_suppressed_ns = ev->ts_boot_ns;
	st->uid = ev->uid;
	st->euid = ev->euid;
	st->cgroup_id = ev->cgroup_id;
	__builtin_memcpy(st->comm, ev->comm, SW_COMM_LEN);
	count(SW_CNT_FLOOD_SUPPRESSED);
	return false;
}

/* Decide whether this record goes into the ring buffer (may set ev->flags). */
static __always_inline bool flood_admit(struct sw_event *ev)
{
	if (!flood_send_rate && !flood_open_rate)
		return true;
	struct sw_flood_state *st = flood_state_of(ev->tgid);
	if (!st)
		return true; /* no state: never drop for lack of bookkeeping */
	__u64 now = ev->ts_boot_ns;
	__u64 conn = ev->client_sock_ino;
	__u8 *cs = conn ? bpf_map_lookup_elem(&flood_conns, &conn) : NULL;
	__u8 state = cs ? *cs : 0;

	if (ev->type == SW_EV_REPLY)
		return flood_take(&st->send_tat, now, flood_send_rate, flood_send_burst) ? true
											  : flood_suppress(st, ev, false);

	if (ev->type == SW_EV_CONNECT || ev->type == SW_EV_CONNECT_ATTEMPT) {
		if (state == SW_CONN_OPEN)
			return true; /* the other half of an admitted attempt/connect pair */
		if (state == SW_CONN_OPEN_SUPPRESSED)
			return false; /* already counted with its first half */
		if (flood_take(&st->open_tat, now, flood_open_rate, flood_open_burst)) {
			flood_set_conn(conn, SW_CONN_OPEN);
			return true;
		}
		flood_set_conn(conn, SW_CONN_OPEN_SUPPRESSED);
		return flood_suppress(st, ev, true);
	}

	/* SW_EV_SEND */
	if (state == SW_CONN_OPEN) {
		flood_set_conn(conn, SW_CONN_DATA); /* the request line of an admitted connection */
		return true;
	}
	if (state == 0) {
		/* A connection whose connect was not seen (older than the agent, or evicted). */
		if (flood_take(&st->open_tat, now, flood_open_rate, flood_open_burst)) {
			flood_set_conn(conn, SW_CONN_DATA);
			return true;
		}
		flood_set_conn(conn, SW_CONN_GAP);
		return flood_suppress(st, ev, false);
	}
	if (flood_take(&st->send_tat, now, flood_send_rate, flood_send_burst)) {
		if (state != SW_CONN_DATA) {
			ev->flags |= SW_F_FLOOD_GAP;
			flood_set_conn(conn, SW_CONN_DATA);
		}
		return true;
	}
	if (state != SW_CONN_GAP)
		flood_set_conn(conn, SW_CONN_GAP);
	return flood_suppress(st, ev, false);
}

#endif
