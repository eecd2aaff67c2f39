// A libevent event stored inside its owner instead of on the heap.
//
// Connections are reused per worker, so their events are assigned again for each
// new socket rather than allocated; this keeps accept and close free of mallocs.
// The event is removed from its loop when reassigned or destroyed.
#pragma once

#include <event2/event.h>
#include <event2/event_struct.h>

namespace weir {

class EmbeddedEvent {
 public:
  EmbeddedEvent() = default;
  ~EmbeddedEvent() { clear(); }
  EmbeddedEvent(const EmbeddedEvent&) = delete;
  EmbeddedEvent& operator=(const EmbeddedEvent&) = delete;

  // Binds the event to `fd` (-1 for a timer); does not add it to the loop.
  void assign(event_base* loop, evutil_socket_t fd, short what, event_callback_fn callback,
              void* arg) {
    clear();
    event_assign(&event_, loop, fd, what, callback, arg);
    assigned_ = true;
  }
  // Adds it to the loop (with a timeout for timers; null: none).
  void add(const timeval* timeout = nullptr) { event_add(&event_, timeout); }
  // Takes it out of the loop but keeps the binding.
  void remove() {
    if (assigned_) event_del(&event_);
  }
  // Takes it out of the loop and forgets the binding.
  void clear() {
    if (assigned_) {
      event_del(&event_);
      assigned_ = false;
    }
  }
  void activate(short what) { event_active(&event_, what, 0); }

 private:
  event event_{};
  bool assigned_ = false;
};

}  // namespace weir
