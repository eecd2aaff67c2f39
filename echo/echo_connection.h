// One client of tcp-echo-server: reads what it sends and queues the echo back.
//
// Owns the client's socket (through its bufferevent). Backpressure: while more than
// settings.high_watermark bytes wait to be sent to the client, it stops reading from it,
// and resumes once the queue is down to settings.low_watermark. On the client's EOF it
// answers what is complete (line mode drops a trailing partial line), flushes, then closes.
//
// With settings.proxy_protocol, the connection first reads the client's PROXY header
// (see echo/proxy_header.h); nothing is answered before it is complete, and a client
// whose header is malformed, or who closes before sending a complete one, is
// disconnected and counted in EchoCounters.
//
// Thread: lives on its event loop; every method runs there.
#pragma once

#include <event2/util.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

#include "common/libevent_handles.h"
#include "echo/echo_settings.h"

namespace weir::echo {

// What the connections of one server count. Written on the loop thread; atomic so a
// test (or an admin thread) may read it while the loop runs.
struct EchoCounters {
  std::atomic<std::size_t> rejected_proxy_headers{0};
};

class EchoConnection {
 public:
  // Called once, from a callback of this connection, when it is finished; the callee
  // destroys the connection, and nothing of it is touched after the call.
  using DoneCallback = std::function<void(EchoConnection*)>;

  // `bev` wraps the accepted socket and closes it on free. `settings`, `scratch` (a
  // buffer shared by all connections of one loop) and `counters` must outlive the
  // connection.
  EchoConnection(BufferEventPtr bev, std::string peer, const EchoSettings& settings,
                 std::string& scratch, EchoCounters& counters, DoneCallback on_done);
  EchoConnection(const EchoConnection&) = delete;
  EchoConnection& operator=(const EchoConnection&) = delete;

  // Starts reading. Call once, after the connection has its final address.
  void start();

  const std::string& peer() const { return peer_; }

 private:
  static void onRead(bufferevent* bev, void* self);
  static void onWrite(bufferevent* bev, void* self);
  static void onEvent(bufferevent* bev, short what, void* self);

  // True once the header is read and dropped; false if more bytes are needed or the
  // connection was finished (then `this` is gone: return at once).
  bool readProxyHeader();
  void rejectProxyHeader(const std::string& why);
  void echoRaw();
  void answerLines();
  void pauseReading();
  void resumeReading();
  void closeWhenFlushed();
  void finish();

  BufferEventPtr bev_;
  std::string peer_;
  const EchoSettings& settings_;
  std::string& scratch_;
  EchoCounters& counters_;
  DoneCallback on_done_;
  std::string prefix_;  // settings.prefix, plus " [from ADDRESS]" with proxy_protocol
  bool awaiting_proxy_header_ = false;
  bool reading_paused_ = false;
  bool client_done_ = false;  // EOF seen: the client sends nothing more
  bool closing_ = false;      // waiting for the output to drain, then close
};

}  // namespace weir::echo
