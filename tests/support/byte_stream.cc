#include "byte_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>

namespace weir::test {
namespace {

// splitmix64's finaliser: a bijective mix with good avalanche.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t patternWord(uint64_t seed, uint64_t index) {
  return mix(mix(seed) ^ (index * 0xd1342543de82ef95ULL));
}

struct StreamState {
  const StreamPlan* plan = nullptr;
  std::mt19937_64 chunk_sizes;
  std::string pending;  // drawn and generated but not yet accepted by send()
  size_t pending_offset = 0;
  uint64_t generated = 0;
  Fnv1a64 sent_hash;
  Fnv1a64 received_hash;
  bool send_done = false;
  bool read_done = false;
};

}  // namespace

void fillPatternBytes(uint64_t seed, uint64_t offset, std::span<char> out) {
  size_t i = 0;
  while (i < out.size()) {
    uint64_t position = offset + i;
    uint64_t word = patternWord(seed, position / 8);
    for (unsigned byte = position % 8; byte < 8 && i < out.size(); ++byte, ++i) {
      out[i] = static_cast<char>((word >> (byte * 8)) & 0xff);
    }
  }
}

void Fnv1a64::update(std::span<const char> bytes) {
  uint64_t hash = hash_;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  hash_ = hash;
}

std::string StreamOutcome::describe() const {
  std::ostringstream text;
  text << "sent " << sent << (shut_down_write ? " + FIN" : "") << " (" << toString(send_end)
       << ", hash " << std::hex << sent_hash << std::dec << "), received " << received
       << " (end " << toString(read_end) << ", hash " << std::hex << received_hash << std::dec
       << ")";
  if (first_mismatch) text << ", first wrong byte at " << *first_mismatch;
  text << ", " << elapsed.count() << " ms";
  return text.str();
}

std::vector<StreamOutcome> exchangeStreams(std::vector<TcpConnection>& connections,
                                           const std::vector<StreamPlan>& plans,
                                           std::chrono::milliseconds timeout) {
  if (connections.size() != plans.size()) {
    throw std::invalid_argument("exchangeStreams: one plan per connection");
  }
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + timeout;
  const size_t count = connections.size();
  std::vector<StreamOutcome> outcomes(count);
  std::vector<StreamState> states(count);
  for (size_t i = 0; i < count; ++i) {
    if (plans[i].min_chunk == 0 || plans[i].min_chunk > plans[i].max_chunk) {
      throw std::invalid_argument("exchangeStreams: bad chunk bounds");
    }
    states[i].plan = &plans[i];
    outcomes[i].sent_hash = outcomes[i].received_hash = Fnv1a64().value();
    states[i].chunk_sizes.seed(plans[i].seed ^ 0x5bd1e995ULL);
  }
  std::vector<char> received(256 * 1024);
  std::vector<char> expected(received.size());
  std::vector<pollfd> entries;
  std::vector<size_t> owners;
  size_t unfinished = count;

  auto finishRead = [&](size_t i, IoStatus end) {
    StreamState& state = states[i];
    if (state.read_done) return;
    state.read_done = true;
    outcomes[i].read_end = end;
    outcomes[i].elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (!state.send_done) {
      // The peer is gone for good; stop sending too.
      state.send_done = true;
      outcomes[i].send_end = end == IoStatus::kEof ? IoStatus::kReset : end;
    }
    --unfinished;
  };

  auto sendSome = [&](size_t i) {
    StreamState& state = states[i];
    const StreamPlan& plan = *state.plan;
    StreamOutcome& outcome = outcomes[i];
    for (int round = 0; round < 16 && !state.send_done; ++round) {
      if (state.pending_offset == state.pending.size()) {
        if (state.generated == plan.bytes) {
          outcome.shut_down_write = ::shutdown(connections[i].fd(), SHUT_WR) == 0;
          state.send_done = true;
          return;
        }
        std::uniform_int_distribution<size_t> size(plan.min_chunk, plan.max_chunk);
        size_t chunk = static_cast<size_t>(
            std::min<uint64_t>(size(state.chunk_sizes), plan.bytes - state.generated));
        state.pending.resize(chunk);
        fillPatternBytes(plan.seed, state.generated, state.pending);
        state.generated += chunk;
        state.pending_offset = 0;
      }
      ssize_t written = ::send(connections[i].fd(), state.pending.data() + state.pending_offset,
                               state.pending.size() - state.pending_offset, MSG_NOSIGNAL);
      if (written < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        state.send_done = true;
        outcome.send_end =
            (errno == EPIPE || errno == ECONNRESET) ? IoStatus::kReset : IoStatus::kError;
        return;
      }
      state.sent_hash.update(std::span<const char>(state.pending.data() + state.pending_offset,
                                                   static_cast<size_t>(written)));
      outcome.sent += static_cast<uint64_t>(written);
      outcome.sent_hash = state.sent_hash.value();
      state.pending_offset += static_cast<size_t>(written);
    }
  };

  auto readSome = [&](size_t i) {
    StreamState& state = states[i];
    const StreamPlan& plan = *state.plan;
    StreamOutcome& outcome = outcomes[i];
    for (int round = 0; round < 16 && !state.read_done; ++round) {
      ssize_t got = ::recv(connections[i].fd(), received.data(), received.size(), 0);
      if (got == 0) {
        finishRead(i, IoStatus::kEof);
        return;
      }
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        finishRead(i, errno == ECONNRESET ? IoStatus::kReset : IoStatus::kError);
        return;
      }
      size_t length = static_cast<size_t>(got);
      std::span<const char> bytes(received.data(), length);
      if (!outcome.first_mismatch) {
        uint64_t in_plan = outcome.received >= plan.bytes
                               ? 0
                               : std::min<uint64_t>(length, plan.bytes - outcome.received);
        fillPatternBytes(plan.seed, outcome.received, std::span<char>(expected.data(), in_plan));
        for (size_t k = 0; k < length; ++k) {
          if (k >= in_plan || received[k] != expected[k]) {
            outcome.first_mismatch = outcome.received + k;
            break;
          }
        }
      }
      state.received_hash.update(bytes);
      outcome.received_hash = state.received_hash.value();
      outcome.received += length;
    }
  };

  while (unfinished > 0) {
    entries.clear();
    owners.clear();
    for (size_t i = 0; i < count; ++i) {
      if (states[i].read_done) continue;
      short events = POLLIN;
      if (!states[i].send_done) events |= POLLOUT;
      entries.push_back(pollfd{connections[i].fd(), events, 0});
      owners.push_back(i);
    }
    int wait_ms = std::min(pollTimeout(deadline), 100);
    int ready = ::poll(entries.data(), entries.size(), wait_ms);
    if (ready < 0 && errno != EINTR) {
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    for (size_t e = 0; ready > 0 && e < entries.size(); ++e) {
      size_t i = owners[e];
      if (entries[e].revents & (POLLIN | POLLHUP | POLLERR)) readSome(i);
      if ((entries[e].revents & (POLLOUT | POLLERR)) && !states[i].send_done) sendSome(i);
    }
    if (Clock::now() >= deadline) break;
  }
  for (size_t i = 0; i < count; ++i) {
    if (!states[i].read_done) {
      outcomes[i].read_end = IoStatus::kTimeout;
      outcomes[i].elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      if (!states[i].send_done) outcomes[i].send_end = IoStatus::kTimeout;
    }
  }
  return outcomes;
}

}  // namespace weir::test
