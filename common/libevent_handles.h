// Owning handles for libevent objects: each is freed exactly once, by its owner.
// The one home of these wrappers, for weir and the echo tools alike.
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
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
struct EvBufferFree {
  void operator()(evbuffer* buffer) const { evbuffer_free(buffer); }
};
struct ConnListenerFree {
  void operator()(evconnlistener* listener) const { evconnlistener_free(listener); }
};
struct HttpServerFree {
  void operator()(evhttp* http) const { evhttp_free(http); }
};
// Requests still outstanding are failed (their callbacks see EVUTIL_EAI_CANCEL), so
// that no callback runs after its owner is gone.
struct DnsBaseFree {
  void operator()(evdns_base* dns) const { evdns_base_free(dns, 1); }
};

using EventBasePtr = std::unique_ptr<event_base, EventBaseFree>;
using EventPtr = std::unique_ptr<event, EventFree>;
using BufferEventPtr = std::unique_ptr<bufferevent, BufferEventFree>;
using EvBufferPtr = std::unique_ptr<evbuffer, EvBufferFree>;
using ConnListenerPtr = std::unique_ptr<evconnlistener, ConnListenerFree>;
using HttpServerPtr = std::unique_ptr<evhttp, HttpServerFree>;
using DnsBasePtr = std::unique_ptr<evdns_base, DnsBaseFree>;

}  // namespace weir
