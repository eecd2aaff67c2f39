// Owning handles for libevent objects: each is freed exactly once, by its owner.
// The one home of these wrappers, for weir and the echo tools alike.
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <memory>

namespace weir {

struct EventBaseFree {
  void operator()(event_base* base) const { event_base_free(base); }
};
struct EventFree {
  void operator()(event* ev) const { event_free(ev); }
};
struct BufferEventFree {
  void operator()(bufferevent* bev) const { bufferevent_free(bev); }
};
struct ConnListenerFree {
  void operator()(evconnlistener* listener) const { evconnlistener_free(listener); }
};

using EventBasePtr = std::unique_ptr<event_base, EventBaseFree>;
using EventPtr = std::unique_ptr<event, EventFree>;
using BufferEventPtr = std::unique_ptr<bufferevent, BufferEventFree>;
using ConnListenerPtr = std::unique_ptr<evconnlistener, ConnListenerFree>;

}  // namespace weir
