// The in-kernel data path (--data-path sockmap): a stream verdict that sends each
// skb a spliced socket receives straight out of its peer socket, so bytes move
// from one socket to the other without waking weir.
//
// Maps (their sizes are set by weir when it loads the object):
//   peers    SOCKHASH, key: a socket's cookie, value: its peer. Only a target for
//            the redirect: no program is attached, so a socket in it alone behaves
//            as before.
//   spliced  SOCKHASH with the verdict attached: a socket in it has its received
//            bytes run through redirect_to_peer. Weir takes a socket out of it to
//            stop the kernel path (its bytes then stay in its receive queue).
//   flows    HASH by cookie: bytes redirected so far, and whether the socket is
//            held (see below). Weir creates the entry before the socket joins and
//            deletes it when the connection closes.
//
// Backpressure: the kernel queues redirected skbs on the peer without a limit
// (measured: 600 MiB queued for one connection whose sender outran the kernel's
// send worker). So once the peer has kMaxQueuedSkbs waiting, the socket is held:
// this and every later skb is passed to the socket itself (SK_PASS), where it is
// charged to its receive buffer, so TCP's window closes on the sender, and its
// readability wakes weir, which takes the connection back (proxied_connection.cc).
// Holding is sticky, so no byte can overtake one that was passed.
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

// Just the kernel fields read here; CO-RE relocates them against the running
// kernel's BTF.
struct sk_buff_head {
  __u32 qlen;
} __attribute__((preserve_access_index));
struct sk_psock {
  struct sk_buff_head ingress_skb;  // skbs redirected to this socket, not yet sent
} __attribute__((preserve_access_index));
struct sock {
  void *sk_user_data;  // the socket's psock while it is in a sockmap, tagged
} __attribute__((preserve_access_index));
// sk_user_data's low bits are flags (SK_USER_DATA_NOCOPY, _BPF, _PSOCK).
#define kUserDataFlags 7UL
struct tcp_sock;

// Skbs waiting on the peer before the sender is held: up to 64 KiB each on
// loopback, so about Weir's default --buffer-limit (1 MiB).
#define kMaxQueuedSkbs 16

struct flow {
  __u64 redirected;  // bytes sent to the peer
  __u32 held;
  __u32 unused;
};

struct {
  __uint(type, BPF_MAP_TYPE_SOCKHASH);
  __uint(max_entries, 1);
  __type(key, __u64);
  __type(value, __u64);
} peers SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_SOCKHASH);
  __uint(max_entries, 1);
  __type(key, __u64);
  __type(value, __u64);
} spliced SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);  // memory for the connections there are
  __uint(max_entries, 1);
  __type(key, __u64);
  __type(value, struct flow);
} flows SEC(".maps");

// Skbs queued on `peer` for sending, 0 if it cannot be read.
static __always_inline __u32 queuedOn(struct bpf_sock *peer) {
  struct tcp_sock *tcp = bpf_skc_to_tcp_sock(peer);
  if (!tcp) return 0;
  const unsigned long user_data = (unsigned long)BPF_CORE_READ((struct sock *)tcp, sk_user_data);
  struct sk_psock *psock = (struct sk_psock *)(user_data & ~kUserDataFlags);
  if (!psock) return 0;
  return BPF_CORE_READ(psock, ingress_skb.qlen);
}

SEC("sk_skb/stream_verdict")
int redirect_to_peer(struct __sk_buff *skb) {
  // A bare FIN arrives as an empty skb. Redirected, the peer's send worker takes
  // its zero-byte send for a broken pipe and sets EPIPE on the peer (seen on
  // 6.18), so it is dropped: weir sees the FIN itself (EPOLLRDHUP).
  if (skb->len == 0) return SK_DROP;
  __u64 cookie = bpf_get_socket_cookie(skb);
  struct flow *flow = bpf_map_lookup_elem(&flows, &cookie);
  if (!flow || flow->held) return SK_PASS;
  struct bpf_sock *peer = bpf_map_lookup_elem(&peers, &cookie);
  if (!peer) {
    flow->held = 1;
    return SK_PASS;
  }
  const __u32 queued = queuedOn(peer);
  bpf_sk_release(peer);
  if (queued >= kMaxQueuedSkbs) {
    flow->held = 1;
    return SK_PASS;
  }
  __sync_fetch_and_add(&flow->redirected, skb->len);
  return bpf_sk_redirect_hash(skb, &peers, &cookie, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
