// One client connection spliced to one upstream endpoint.
//
// Lives on one worker's event loop from accept to close and is touched only by
// that loop's thread. It owns both sockets (as bufferevents) and the snapshot it
// was routed with, so a reload cannot change its upstream. Bytes move both ways
// with bounded buffers: when the peer's output passes the high watermark, reading
// here pauses until the peer drains below the low watermark. A FIN is forwarded as
// shutdown(SHUT_WR) once everything before it has been written; an error or reset
// on one side resets the other.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "proxy/access_log.h"
#include "proxy/libevent_handles.h"
#include "proxy/route_snapshot.h"
#include "proxy/stats.h"

namespace weir::proxy {

class ProxiedConnection;

// What a connection needs from the worker that owns it (loop thread only).
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual event_base* loop() = 0;
  virtual size_t bufferLimit() const = 0;
  // Whether connection records are written anywhere; when not, the connection
  // skips the system calls that only the access log needs.
  virtual bool logsConnections() const = 0;
  // Called once, when the connection has finished; the owner destroys it.
  // The connection must not touch itself after making this call.
  virtual void onConnectionDone(ProxiedConnection& connection, const ConnectionRecord& record) = 0;
};

// Where a connection goes, decided by the worker before the connection exists.
struct UpstreamTarget {
  std::shared_ptr<const RouteSnapshot> snapshot;  // keeps route/cluster/endpoint alive
  size_t cluster_index = 0;
  const SocketAddress* endpoint = nullptr;  // into snapshot
  ClusterStats* cluster_stats = nullptr;
  EndpointStats* endpoint_stats = nullptr;
  RouteStats* route_stats = nullptr;
  ListenerStats* listener_stats = nullptr;
};

class ProxiedConnection {
 public:
  // Takes ownership of `downstream_fd`. `record` has the start time, client and
  // route already filled in.
  ProxiedConnection(ConnectionOwner& owner, int downstream_fd, UpstreamTarget target,
                    ConnectionRecord record);
  ~ProxiedConnection();
  ProxiedConnection(const ProxiedConnection&) = delete;
  ProxiedConnection& operator=(const ProxiedConnection&) = delete;

  // Starts connecting to the upstream. May finish (and report done) before returning.
  void start();
  // Resets both sides now; used when the proxy stops.
  void abort();

 private:
  struct Side {
    BufferEventPtr socket;
    bool read_eof = false;        // this side sent FIN
    bool write_shut = false;      // we sent FIN to this side
    bool reading_paused = false;  // backpressure from the other side
  };

  static void onReadable(bufferevent* bev, void* self);
  static void onWritable(bufferevent* bev, void* self);
  static void onEvent(bufferevent* bev, short what, void* self);
  static void onConnectTimeout(evutil_socket_t, short, void* self);
  static void onIdleCheck(evutil_socket_t, short, void* self);
  void armIdleCheck(std::chrono::steady_clock::duration delay);

  Side& sideOf(bufferevent* bev) { return bev == downstream_.socket.get() ? downstream_ : upstream_; }
  Side& peerOf(Side& side) { return &side == &downstream_ ? upstream_ : downstream_; }
  bool isDownstream(const Side& side) const { return &side == &downstream_; }

  void onUpstreamConnected();
  void forward(Side& from);
  void shutdownWriteIfDrained(Side& to);
  void finish(EndReason reason, bool reset_downstream, bool reset_upstream);

  ConnectionOwner& owner_;
  UpstreamTarget target_;
  ConnectionRecord record_;
  std::chrono::steady_clock::time_point started_;
  Side downstream_;
  Side upstream_;
  EventPtr connect_timer_;
  // connectionPool.tcp.idleTimeout: no byte either way for that long closes the
  // connection. Reads only stamp the time; the timer checks it when it fires.
  EventPtr idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;
  bool connected_ = false;
  bool finished_ = false;
  bool downstream_closed_first_ = false;
  bool upstream_closed_first_ = false;
};

}  // namespace weir::proxy
