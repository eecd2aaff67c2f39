#include "echo/echo_connection.h"

#include <event2/buffer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "echo/line_framing.h"
#include "echo/proxy_header.h"

namespace weir::echo {
namespace {

// Larger than libevent's 16 KiB default so raw echo moves big blocks per system call.
constexpr ev_ssize_t kMaxSingleTransfer = 256 * 1024;

}  // namespace

EchoConnection::EchoConnection(BufferEventPtr bev, std::string peer, const EchoSettings& settings,
                               std::string& scratch, EchoCounters& counters,
                               DoneCallback on_done)
    : bev_(std::move(bev)),
      peer_(std::move(peer)),
      settings_(settings),
      scratch_(scratch),
      counters_(counters),
      on_done_(std::move(on_done)),
      prefix_(settings.prefix),
      awaiting_proxy_header_(settings.proxy_protocol) {}

void EchoConnection::start() {
  bufferevent_setcb(bev_.get(), &EchoConnection::onRead, &EchoConnection::onWrite,
                    &EchoConnection::onEvent, this);
  // The write callback runs whenever a write leaves at most the low watermark queued:
  // the moment to resume reading, and (at zero) to close after the last byte.
  bufferevent_setwatermark(bev_.get(), EV_WRITE, settings_.low_watermark, 0);
  bufferevent_set_max_single_read(bev_.get(), kMaxSingleTransfer);
  bufferevent_set_max_single_write(bev_.get(), kMaxSingleTransfer);
  bufferevent_enable(bev_.get(), EV_READ | EV_WRITE);
}

void EchoConnection::onRead(bufferevent*, void* self) {
  auto* connection = static_cast<EchoConnection*>(self);
  if (connection->awaiting_proxy_header_ && !connection->readProxyHeader()) {
    return;
  }
  if (connection->settings_.mode == EchoMode::kRaw) {
    connection->echoRaw();
  } else {
    connection->answerLines();
  }
}

void EchoConnection::onWrite(bufferevent*, void* self) {
  auto* connection = static_cast<EchoConnection*>(self);
  if (connection->closing_) {
    if (evbuffer_get_length(bufferevent_get_output(connection->bev_.get())) == 0) {
      connection->finish();
    }
    return;
  }
  if (connection->reading_paused_) {
    connection->resumeReading();
  }
}

void EchoConnection::onEvent(bufferevent*, short what, void* self) {
  auto* connection = static_cast<EchoConnection*>(self);
  if (what & BEV_EVENT_ERROR) {
    int error = EVUTIL_SOCKET_ERROR();
    connection->settings_.logger->debug("{}: connection error: {}", connection->peer_,
                                        std::strerror(error));
    connection->finish();
    return;
  }
  if (what & BEV_EVENT_EOF) {
    connection->client_done_ = true;
    if (connection->awaiting_proxy_header_ && !connection->readProxyHeader()) {
      return;  // rejected: the header can no longer be completed
    }
    if (connection->settings_.mode == EchoMode::kRaw) {
      connection->echoRaw();
      connection->closeWhenFlushed();
    } else {
      connection->answerLines();
    }
  }
}

bool EchoConnection::readProxyHeader() {
  evbuffer* input = bufferevent_get_input(bev_.get());
  const std::size_t pending = std::min(evbuffer_get_length(input), kMaxProxyHeaderBytes);
  ProxyHeader header;
  if (pending > 0) {
    const auto* bytes = reinterpret_cast<const char*>(
        evbuffer_pullup(input, static_cast<ev_ssize_t>(pending)));
    header = parseProxyHeader(std::string_view(bytes, pending));
  }
  switch (header.status) {
    case ProxyHeader::Status::kNeedMoreBytes:
      if (client_done_) {
        rejectProxyHeader(pending == 0 ? "closed without sending a PROXY header"
                                       : "closed in the middle of its PROXY header");
      }
      return false;
    case ProxyHeader::Status::kMalformed:
      rejectProxyHeader(header.error);
      return false;
    case ProxyHeader::Status::kComplete:
      break;
  }
  evbuffer_drain(input, header.header_bytes);
  awaiting_proxy_header_ = false;
  const std::string from = header.source ? header.source->toString() : "unknown";
  settings_.logger->debug("{}: PROXY v{} header, client {}", peer_, header.version, from);
  if (settings_.mode == EchoMode::kRaw) {
    const std::string line = "PROXY-FROM " + from + "\n";
    evbuffer_add(bufferevent_get_output(bev_.get()), line.data(), line.size());
  } else {
    prefix_ = settings_.prefix + " [from " + from + "]";
  }
  return true;
}

void EchoConnection::rejectProxyHeader(const std::string& why) {
  const std::size_t rejected = ++counters_.rejected_proxy_headers;
  settings_.logger->warn("{}: {}; disconnecting ({} connections rejected so far)", peer_, why,
                         rejected);
  finish();
}

void EchoConnection::echoRaw() {
  evbuffer* output = bufferevent_get_output(bev_.get());
  evbuffer_add_buffer(output, bufferevent_get_input(bev_.get()));
  if (evbuffer_get_length(output) >= settings_.high_watermark) {
    pauseReading();
  }
}

void EchoConnection::answerLines() {
  evbuffer* input = bufferevent_get_input(bev_.get());
  evbuffer* output = bufferevent_get_output(bev_.get());
  const std::size_t queued = evbuffer_get_length(output);
  const std::size_t pending = evbuffer_get_length(input);
  if (queued < settings_.high_watermark && pending > 0) {
    // The input holds at most one overlong line plus one read, or what was read before
    // reading paused, so making it contiguous stays bounded.
    const auto* bytes = reinterpret_cast<const char*>(evbuffer_pullup(input, -1));
    scratch_.clear();
    LineFraming framing = weir::echo::answerLines(std::string_view(bytes, pending),
                                                  prefix_, settings_.max_line_bytes,
                                                  settings_.high_watermark - queued, scratch_);
    if (framing.stop == LineFraming::Stop::kLineTooLong) {
      // Dropped at once, unanswered lines and all: waiting to flush would let a client
      // that never reads keep the connection.
      settings_.logger->error("{}: line longer than {} bytes, disconnecting", peer_,
                    settings_.max_line_bytes);
      finish();
      return;
    }
    evbuffer_add(output, scratch_.data(), scratch_.size());
    evbuffer_drain(input, framing.consumed);
  }
  if (evbuffer_get_length(output) >= settings_.high_watermark) {
    // Complete lines may remain; the write callback calls back here once the client
    // has read enough.
    pauseReading();
    return;
  }
  // Every complete line is answered; what is left is a partial line.
  if (client_done_) {
    evbuffer_drain(input, evbuffer_get_length(input));
    closeWhenFlushed();
    return;
  }
  if (reading_paused_) {
    reading_paused_ = false;
    bufferevent_enable(bev_.get(), EV_READ);
  }
}

void EchoConnection::pauseReading() {
  if (!reading_paused_) {
    reading_paused_ = true;
    bufferevent_disable(bev_.get(), EV_READ);
  }
}

void EchoConnection::resumeReading() {
  if (settings_.mode == EchoMode::kLines) {
    // Lines may be waiting in the input; answer them before reading more.
    answerLines();
    return;
  }
  reading_paused_ = false;
  if (!client_done_) {
    bufferevent_enable(bev_.get(), EV_READ);
  }
}

void EchoConnection::closeWhenFlushed() {
  closing_ = true;
  bufferevent_disable(bev_.get(), EV_READ);
  if (evbuffer_get_length(bufferevent_get_output(bev_.get())) == 0) {
    finish();
  }
  // Otherwise onWrite finishes once the output is empty.
}

void EchoConnection::finish() {
  // Destroys this object: return right after.
  on_done_(this);
}

}  // namespace weir::echo
