#include "proxy/listener/port_owner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace weir::proxy {
namespace {

constexpr std::string_view kTcpListen = "0A";    // TCP_LISTEN in /proc/net/tcp
constexpr unsigned long kAcceptsConnections = 0x10000;  // __SO_ACCEPTCON in /proc/net/unix

std::optional<uint32_t> hexWord(std::string_view text) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "0100007F:2328" (IPv4) or 32 hex digits ":2328" (IPv6): each 32-bit word as the
// kernel holds it, printed in hex, so it is copied back as it is.
std::optional<SocketAddress> parseProcAddress(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::optional<uint32_t> port = hexWord(text.substr(colon + 1));
  const std::string_view ip = text.substr(0, colon);
  if (!port || *port > 0xffff) return std::nullopt;
  char printed[INET6_ADDRSTRLEN] = {};
  if (ip.size() == 8) {
    const std::optional<uint32_t> word = hexWord(ip);
    if (!word) return std::nullopt;
    in_addr address{};
    address.s_addr = *word;
    inet_ntop(AF_INET, &address, printed, sizeof printed);
  } else if (ip.size() == 32) {
    in6_addr address{};
    for (size_t i = 0; i < 4; ++i) {
      const std::optional<uint32_t> word = hexWord(ip.substr(i * 8, 8));
      if (!word) return std::nullopt;
      std::memcpy(&address.s6_addr[i * 4], &*word, 4);
    }
    inet_ntop(AF_INET6, &address, printed, sizeof printed);
  } else {
    return std::nullopt;
  }
  return SocketAddress::fromIpLiteral(printed, static_cast<uint16_t>(*port));
}

bool isAny(const SocketAddress& address) {
  const std::string text = address.toString();
  return text.starts_with("0.0.0.0:") || text.starts_with("[::]:");
}

// The IPv4 address an IPv4-mapped IPv6 one ([::ffff:1.2.3.4]) stands for.
std::optional<SocketAddress> mappedIpv4(const SocketAddress& address) {
  if (address.family() != AF_INET6) return std::nullopt;
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address.get());
  if (!IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) return std::nullopt;
  char printed[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], printed, sizeof printed);
  return SocketAddress::fromIpLiteral(printed, address.port());
}

// Whether a listener on `a` takes connections meant for `b`'s address, or the
// other way round: the kernel refuses to bind the second without SO_REUSEPORT.
// [::] is taken as dual-stack (weir does not set IPV6_V6ONLY; /proc does not say).
bool overlaps(const SocketAddress& a, const SocketAddress& b) {
  if (a.port() != b.port()) return false;
  const SocketAddress x = mappedIpv4(a).value_or(a);
  const SocketAddress y = mappedIpv4(b).value_or(b);
  if (x.family() == y.family()) {
    return isAny(x) || isAny(y) || x.toString() == y.toString();
  }
  const SocketAddress& v6 = x.family() == AF_INET6 ? x : y;
  return isAny(v6);
}

std::vector<std::string> fieldsOf(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

std::optional<ino_t> inodeOf(const std::string& text) {
  ino_t inode = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), inode);
  if (error != std::errc() || end != text.data() + text.size() || inode == 0) return std::nullopt;
  return inode;
}

// Whether /proc/PID/fd holds socket `inode`.
bool holdsSocket(const std::filesystem::path& fd_directory, ino_t inode) {
  const std::string wanted = fmt::format("socket:[{}]", inode);
  std::error_code error;
  for (std::filesystem::directory_iterator fd(fd_directory, error), end; !error && fd != end;
       fd.increment(error)) {
    if (std::filesystem::read_symlink(fd->path(), error).string() == wanted) return true;
  }
  return false;
}

}  // namespace

std::vector<ino_t> listeningSocketsAt(const SocketAddress& address) {
  std::vector<ino_t> inodes;
  if (address.isUnix()) {
    std::ifstream table("/proc/net/unix");
    std::string line;
    std::getline(table, line);  // the header
    const std::string path = address.toString();
    while (std::getline(table, line)) {
      // Num RefCount Protocol Flags Type St Inode Path
      const std::vector<std::string> fields = fieldsOf(line);
      if (fields.size() < 8 || fields[7] != path) continue;
      if ((std::strtoul(fields[3].c_str(), nullptr, 16) & kAcceptsConnections) == 0) continue;
      if (std::optional<ino_t> inode = inodeOf(fields[6])) inodes.push_back(*inode);
    }
    return inodes;
  }
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream table(file);
    std::string line;
    std::getline(table, line);  // the header
    while (std::getline(table, line)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const std::vector<std::string> fields = fieldsOf(line);
      if (fields.size() < 10 || fields[3] != kTcpListen) continue;
      const std::optional<SocketAddress> local = parseProcAddress(fields[1]);
      if (!local || !overlaps(*local, address)) continue;
      if (std::optional<ino_t> inode = inodeOf(fields[9])) inodes.push_back(*inode);
    }
  }
  return inodes;
}

bool ownSocket(ino_t inode) { return holdsSocket("/proc/self/fd", inode); }

bool onlyThisProcessListensAt(const SocketAddress& address) {
  const std::vector<ino_t> inodes = listeningSocketsAt(address);
  return !inodes.empty() && std::all_of(inodes.begin(), inodes.end(), ownSocket);
}

std::optional<SocketOwner> ownerOfSocket(ino_t inode) {
  std::error_code error;
  for (std::filesystem::directory_iterator process("/proc", error), end; !error && process != end;
       process.increment(error)) {
    const std::string pid_text = process->path().filename().string();
    pid_t pid = 0;
    auto [last, bad] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
    if (bad != std::errc() || last != pid_text.data() + pid_text.size()) continue;
    if (!holdsSocket(process->path() / "fd", inode)) continue;
    SocketOwner owner{.pid = pid, .name = ""};
    std::ifstream comm(process->path() / "comm");
    std::getline(comm, owner.name);
    return owner;
  }
  return std::nullopt;
}

std::string alreadyInUse(const SocketAddress& address) {
  std::string message = address.toString() + " is already in use";
  for (ino_t inode : listeningSocketsAt(address)) {
    std::optional<SocketOwner> owner = ownerOfSocket(inode);
    if (owner && owner->pid != getpid()) {
      return message + fmt::format(" (pid {}, {})", owner->pid, owner->name);
    }
  }
  return message;
}

}  // namespace weir::proxy
