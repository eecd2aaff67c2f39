#include "proxy/connection/sockmap.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>

#include <fmt/format.h>

#ifdef WEIR_HAVE_SOCKMAP
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

namespace weir::proxy {

#ifdef WEIR_HAVE_SOCKMAP
extern const unsigned char kSockmapRedirectObject[];
extern const size_t kSockmapRedirectObjectSize;

namespace {

// The program's struct flow (sockmap_redirect.bpf.c).
struct FlowValue {
  uint64_t redirected;
  uint32_t held;
  uint32_t unused;
};

// libbpf's messages go nowhere: a refusal is reported once, by load()'s caller.
int quietLibbpf(enum libbpf_print_level, const char*, va_list) { return 0; }

std::string errorText(int error) { return std::strerror(error < 0 ? -error : error); }

}  // namespace
#endif

uint64_t socketCookie(int fd) {
  uint64_t cookie = 0;
  socklen_t length = sizeof cookie;
  if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &length) != 0) return 0;
  return cookie;
}

#ifdef WEIR_HAVE_SOCKMAP

std::unique_ptr<Sockmap> Sockmap::load(size_t max_sockets, std::string& why_not) {
  libbpf_set_print(&quietLibbpf);
  std::unique_ptr<Sockmap> sockmap(new Sockmap());
  bpf_object_open_opts options{};
  options.sz = sizeof options;
  options.object_name = "weir_sockmap";
  sockmap->object_ = bpf_object__open_mem(kSockmapRedirectObject, kSockmapRedirectObjectSize,
                                          &options);
  if (sockmap->object_ == nullptr) {
    why_not = "the embedded BPF object does not open: " + errorText(errno);
    return nullptr;
  }
  const auto entries = static_cast<uint32_t>(std::min<size_t>(max_sockets, 1u << 24));
  for (const char* name : {"peers", "spliced", "flows"}) {
    bpf_map* map = bpf_object__find_map_by_name(sockmap->object_, name);
    if (map == nullptr || bpf_map__set_max_entries(map, entries) != 0) {
      why_not = fmt::format("the embedded BPF object has no map {}", name);
      return nullptr;
    }
  }
  if (const int error = bpf_object__load(sockmap->object_); error != 0) {
    why_not = fmt::format(
        "the kernel refused the BPF program ({}); it needs CAP_BPF, CAP_NET_ADMIN and "
        "CAP_PERFMON (or root) and a kernel with BTF",
        errorText(error));
    return nullptr;
  }
  sockmap->peers_fd_ = bpf_object__find_map_fd_by_name(sockmap->object_, "peers");
  sockmap->spliced_fd_ = bpf_object__find_map_fd_by_name(sockmap->object_, "spliced");
  sockmap->flows_fd_ = bpf_object__find_map_fd_by_name(sockmap->object_, "flows");
  bpf_program* program = bpf_object__find_program_by_name(sockmap->object_, "redirect_to_peer");
  if (program == nullptr) {
    why_not = "the embedded BPF object has no program redirect_to_peer";
    return nullptr;
  }
  if (bpf_prog_attach(bpf_program__fd(program), sockmap->spliced_fd_,
                      BPF_SK_SKB_STREAM_VERDICT, 0) != 0) {
    why_not = "the kernel refused to attach the stream verdict: " + errorText(errno);
    return nullptr;
  }
  return sockmap;
}

Sockmap::~Sockmap() {
  if (object_ != nullptr) bpf_object__close(object_);
}

bool Sockmap::join(Side a, Side b) {
  const FlowValue fresh{};
  const uint64_t a_fd = static_cast<uint64_t>(a.fd);
  const uint64_t b_fd = static_cast<uint64_t>(b.fd);
  // The order matters: the counters first (the program passes a socket without
  // them), then the redirect targets, and only then the verdict, so that a
  // socket's first skb already finds its peer.
  const bool joined =
      bpf_map_update_elem(flows_fd_, &a.cookie, &fresh, BPF_NOEXIST) == 0 &&
      bpf_map_update_elem(flows_fd_, &b.cookie, &fresh, BPF_NOEXIST) == 0 &&
      bpf_map_update_elem(peers_fd_, &a.cookie, &b_fd, BPF_NOEXIST) == 0 &&
      bpf_map_update_elem(peers_fd_, &b.cookie, &a_fd, BPF_NOEXIST) == 0 &&
      bpf_map_update_elem(spliced_fd_, &a.cookie, &a_fd, BPF_NOEXIST) == 0 &&
      bpf_map_update_elem(spliced_fd_, &b.cookie, &b_fd, BPF_NOEXIST) == 0;
  if (joined) return true;
  for (const uint64_t cookie : {a.cookie, b.cookie}) {
    bpf_map_delete_elem(spliced_fd_, &cookie);
    bpf_map_delete_elem(peers_fd_, &cookie);
    bpf_map_delete_elem(flows_fd_, &cookie);
  }
  return false;
}

Sockmap::Flow Sockmap::flow(uint64_t cookie) const {
  FlowValue value{};
  if (bpf_map_lookup_elem(flows_fd_, &cookie, &value) != 0) return {};
  return {value.redirected, value.held != 0};
}

Sockmap::Flow Sockmap::forget(uint64_t cookie) {
  FlowValue value{};
  if (bpf_map_lookup_and_delete_elem(flows_fd_, &cookie, &value) != 0) return {};
  return {value.redirected, value.held != 0};
}

#else  // built without clang or libbpf

std::unique_ptr<Sockmap> Sockmap::load(size_t, std::string& why_not) {
  why_not = "this weir was built without it (clang and libbpf-dev were missing at configure time)";
  return nullptr;
}
Sockmap::~Sockmap() = default;
bool Sockmap::join(Side, Side) { return false; }
Sockmap::Flow Sockmap::flow(uint64_t) const { return {}; }
Sockmap::Flow Sockmap::forget(uint64_t) { return {}; }

#endif

}  // namespace weir::proxy
