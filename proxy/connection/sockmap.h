// The in-kernel data path (--data-path sockmap): the BPF program of
// bpf/sockmap_redirect.bpf.c and its maps, loaded once per proxy and shared by
// every worker (the map calls are system calls, safe from any thread).
//
// A connection joins once it is routed and everything weir read or wrote itself
// (a PROXY header, early client bytes) has gone out: from then on the kernel sends
// what each socket receives straight out of the other, without waking weir. The
// connection still watches both sockets for a FIN, a reset or bytes the program
// held back (see the .bpf.c file and proxied_connection.cc), and reads the
// counters here to know when the kernel has delivered everything it took.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

struct bpf_object;

namespace weir::proxy {

// A socket's cookie: its key in the maps (SO_COOKIE); 0 if it has none.
uint64_t socketCookie(int fd);

class Sockmap {
 public:
  // What the program did with one socket's bytes.
  struct Flow {
    uint64_t redirected = 0;  // bytes sent out of the peer
    bool held = false;        // the peer fell behind: later bytes stay here
  };
  struct Side {
    int fd = -1;
    uint64_t cookie = 0;
  };

  // Loads the program with room for `max_sockets` sockets. Null, with the reason
  // in `why_not`, when this build has no sockmap path or the kernel or the
  // process's privileges refuse it (CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, or root).
  static std::unique_ptr<Sockmap> load(size_t max_sockets, std::string& why_not);
  ~Sockmap();
  Sockmap(const Sockmap&) = delete;
  Sockmap& operator=(const Sockmap&) = delete;

  // Each socket's bytes go out of the other from now on. False when the maps
  // refuse (full); nothing of the pair is left in them then.
  bool join(Side a, Side b);
  // The counters of a joined socket (zero if unknown).
  Flow flow(uint64_t cookie) const;
  // After the socket is closed (which takes it out of the socket maps): its
  // final counters, removed from the map.
  Flow forget(uint64_t cookie);

 private:
  Sockmap() = default;

  bpf_object* object_ = nullptr;
  int peers_fd_ = -1;
  int spliced_fd_ = -1;
  int flows_fd_ = -1;
};

}  // namespace weir::proxy
