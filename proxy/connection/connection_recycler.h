// A worker's connection objects: the open ones, in a list threaded through the
// connections themselves, and finished ones kept for the next clients (a free
// list), so that a steady stream of short connections neither allocates nor
// frees. Not Istio's connectionPool (limits on upstream connections: see
// admission_slot.h). Loop thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "proxy/connection/proxied_connection.h"

namespace weir::proxy {

class ConnectionRecycler {
 public:
  explicit ConnectionRecycler(size_t max_kept) : max_kept_(max_kept) {}
  ~ConnectionRecycler();
  ConnectionRecycler(const ConnectionRecycler&) = delete;
  ConnectionRecycler& operator=(const ConnectionRecycler&) = delete;

  // A connection ready to open(), counted as open from now on.
  ProxiedConnection& take(ConnectionOwner& owner);
  // `connection` has finished: keep it for reuse, or free it if enough are kept.
  void giveBack(ProxiedConnection& connection);

  size_t openCount() const { return open_count_; }
  // The open connections, copied so that the caller may finish them while walking.
  std::vector<ProxiedConnection*> openConnections() const;

 private:
  size_t max_kept_;
  ProxiedConnection* open_head_ = nullptr;  // owned: freed by giveBack or the destructor
  size_t open_count_ = 0;
  std::vector<std::unique_ptr<ProxiedConnection>> kept_;
};

}  // namespace weir::proxy
