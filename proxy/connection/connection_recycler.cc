#include "proxy/connection/connection_recycler.h"

namespace weir::proxy {

ConnectionRecycler::~ConnectionRecycler() {
  while (open_head_ != nullptr) {
    std::unique_ptr<ProxiedConnection> owned(open_head_);
    open_head_ = open_head_->next;
  }
}

ProxiedConnection& ConnectionRecycler::take(ConnectionOwner& owner) {
  std::unique_ptr<ProxiedConnection> connection;
  if (kept_.empty()) {
    connection = std::make_unique<ProxiedConnection>(owner);
  } else {
    connection = std::move(kept_.back());
    kept_.pop_back();
  }
  ProxiedConnection* raw = connection.release();  // the open list owns it now
  raw->previous = nullptr;
  raw->next = open_head_;
  if (open_head_ != nullptr) open_head_->previous = raw;
  open_head_ = raw;
  ++open_count_;
  return *raw;
}

void ConnectionRecycler::giveBack(ProxiedConnection& connection) {
  if (connection.previous != nullptr) {
    connection.previous->next = connection.next;
  } else {
    open_head_ = connection.next;
  }
  if (connection.next != nullptr) connection.next->previous = connection.previous;
  connection.next = connection.previous = nullptr;
  --open_count_;
  std::unique_ptr<ProxiedConnection> owned(&connection);
  if (kept_.size() < max_kept_) kept_.push_back(std::move(owned));
}

std::vector<ProxiedConnection*> ConnectionRecycler::openConnections() const {
  std::vector<ProxiedConnection*> open;
  open.reserve(open_count_);
  for (ProxiedConnection* connection = open_head_; connection != nullptr;
       connection = connection->next) {
    open.push_back(connection);
  }
  return open;
}

}  // namespace weir::proxy
