#include "proxy/connection/short_read_checks.h"

namespace weir::proxy {

ShortReadChecks::ShortReadChecks(event_base* loop) {
  timer_.assign(loop, -1, 0, &ShortReadChecks::onTick, this);
}

std::vector<ShortReadCheckable*>& ShortReadChecks::listOf(const ShortReadCheckable& connection) {
  return connection.check_tick_ == tick_ ? current_ : due_;
}

void ShortReadChecks::add(ShortReadCheckable& connection) {
  if (connection.check_slot_ != ShortReadCheckable::kNotQueued) return;
  connection.check_tick_ = tick_;
  connection.check_slot_ = current_.size();
  current_.push_back(&connection);
  arm();
}

void ShortReadChecks::remove(ShortReadCheckable& connection) {
  if (connection.check_slot_ == ShortReadCheckable::kNotQueued) return;
  std::vector<ShortReadCheckable*>& list = listOf(connection);
  ShortReadCheckable* last = list.back();
  list[connection.check_slot_] = last;
  last->check_slot_ = connection.check_slot_;
  list.pop_back();
  connection.check_slot_ = ShortReadCheckable::kNotQueued;
}

void ShortReadChecks::arm() {
  if (armed_) return;
  armed_ = true;
  const timeval tick{0, static_cast<suseconds_t>(
                            std::chrono::microseconds(kTick).count())};
  timer_.add(&tick);
}

void ShortReadChecks::onTick(evutil_socket_t, short, void* self) {
  auto* checks = static_cast<ShortReadChecks*>(self);
  checks->armed_ = false;
  // Those queued a whole tick ago are due; those of this tick wait one more. The due
  // ones leave the lists first: checking may queue a connection again (another
  // short read) or finish it.
  checks->checking_.swap(checks->due_);
  checks->due_.swap(checks->current_);
  ++checks->tick_;
  for (ShortReadCheckable* connection : checks->checking_) {
    connection->check_slot_ = ShortReadCheckable::kNotQueued;
  }
  for (size_t i = 0; i < checks->checking_.size(); ++i) {
    checks->checking_[i]->checkShortReads();
  }
  checks->checking_.clear();
  if (checks->queued() > 0) checks->arm();
}

}  // namespace weir::proxy
