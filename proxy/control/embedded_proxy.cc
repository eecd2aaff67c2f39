// weir::Proxy (include/weir/proxy.h): the public, embeddable face of ProxyServer.
#include <event2/thread.h>

#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include <weir/proxy.h>

#include "proxy/control/proxy_server.h"
#include "proxy/control/settings_check.h"
#include "proxy/listener/loop_task_queue.h"

namespace weir {
namespace {

std::string joinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

void prepareProcessOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Workers receive work from other threads through event_active().
    evthread_use_pthreads();
    // A peer that vanished must cost one connection, not the host process.
    std::signal(SIGPIPE, SIG_IGN);
  });
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> errors)
    : std::runtime_error(joinLines(errors)), errors_(std::move(errors)) {}

class Proxy::Impl {
 public:
  std::unique_ptr<proxy::ProxyServer> server;
  std::unique_ptr<proxy::LoopTaskQueue> calls;  // own-thread mode only
  std::thread loop_thread;                      // own-thread mode only

  ~Impl() {
    if (loop_thread.joinable()) {
      calls->post([this] { event_base_loopbreak(server->loop()); });
      loop_thread.join();
      calls.reset();
    }
    server.reset();
  }

  // Runs `work` where the server lives: on its own loop thread (waiting for the
  // answer), or right here when embedded on the caller's loop.
  template <typename Work>
  auto call(Work work) const -> decltype(work()) {
    if (!calls) {
      return work();
    }
    using Result = decltype(work());
    if constexpr (std::is_void_v<Result>) {
      if (!calls->postAndWait(work, std::chrono::seconds(30))) {
        throw std::runtime_error("weir: the proxy's control loop did not answer within 30s");
      }
    } else {
      std::optional<Result> result;
      if (!calls->postAndWait([&] { result.emplace(work()); }, std::chrono::seconds(30))) {
        throw std::runtime_error("weir: the proxy's control loop did not answer within 30s");
      }
      return std::move(*result);
    }
  }
};

Proxy::Proxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Proxy::~Proxy() = default;

namespace {

// Only runInForeground() handles signals: an embedding host program owns its own.
std::unique_ptr<proxy::ProxyServer> startServer(
    const ProxySettings& settings, event_base* external_loop,
    proxy::Signals signals = proxy::Signals::kLeftToTheHost) {
  prepareProcessOnce();
  auto server = std::make_unique<proxy::ProxyServer>(settings, external_loop, signals);
  config::LoadResult loaded = server->loadConfig();
  for (const config::Diagnostic& warning : loaded.warnings) {
    server->log().warn("{}", warning.toString());
  }
  if (!loaded.ok()) {
    std::vector<std::string> errors;
    for (const config::Diagnostic& error : loaded.errors) errors.push_back(error.toString());
    throw ConfigError(std::move(errors));
  }
  if (std::vector<std::string> errors = proxy::checkSettings(settings, *loaded.table);
      !errors.empty()) {
    std::string text = joinLines(errors);
    text.pop_back();  // the last line's '\n'
    throw std::runtime_error(text);
  }
  server->start(loaded.table);
  return server;
}

}  // namespace

std::unique_ptr<Proxy> Proxy::start(const ProxySettings& settings) {
  auto impl = std::make_unique<Impl>();
  impl->server = startServer(settings, nullptr);
  impl->calls = std::make_unique<proxy::LoopTaskQueue>(impl->server->loop());
  proxy::ProxyServer* server = impl->server.get();
  impl->loop_thread = std::thread([server] { server->run(); });
  return std::unique_ptr<Proxy>(new Proxy(std::move(impl)));
}

std::unique_ptr<Proxy> Proxy::startOn(event_base* base, const ProxySettings& settings) {
  auto impl = std::make_unique<Impl>();
  impl->server = startServer(settings, base);
  return std::unique_ptr<Proxy>(new Proxy(std::move(impl)));
}

int Proxy::runInForeground(const ProxySettings& settings) {
  std::unique_ptr<proxy::ProxyServer> server =
      startServer(settings, nullptr, proxy::Signals::kHandled);
  return server->run();
}

uint16_t Proxy::port(uint16_t gateway_port) const {
  auto port = impl_->call([&] { return impl_->server->listenerPort(gateway_port); });
  if (!port) {
    throw std::out_of_range("weir: no Gateway server has port " + std::to_string(gateway_port));
  }
  return *port;
}

std::optional<uint16_t> Proxy::adminPort() const {
  return impl_->call([&] { return impl_->server->adminPort(); });
}

std::map<std::string, uint64_t> Proxy::counters() const {
  auto totals = impl_->call([&] { return impl_->server->statTotals(); });
  std::map<std::string, uint64_t> counters;
  for (const proxy::StatTotal& total : totals) counters[total.fullName()] = total.value;
  return counters;
}

std::map<std::string, uint64_t> Proxy::connectionsBySubset() const {
  auto totals = impl_->call([&] { return impl_->server->statTotals(); });
  std::map<std::string, uint64_t> by_subset;
  for (const proxy::StatTotal& total : totals) {
    if (total.scope != "cluster" || total.stat != "upstream_cx_total") continue;
    // Istio's cluster name: outbound|PORT|SUBSET|HOST.
    const std::string& name = total.scope_name;
    const size_t first = name.find('|');
    const size_t second = name.find('|', first + 1);
    const size_t third = name.find('|', second + 1);
    if (first == std::string::npos || second == std::string::npos ||
        third == std::string::npos) {
      continue;
    }
    std::string subset = name.substr(second + 1, third - second - 1);
    if (subset.empty()) subset = name.substr(third + 1);
    by_subset[subset] += total.value;
  }
  return by_subset;
}

void Proxy::resetCounters() {
  impl_->call([&] { impl_->server->resetCounters(); });
}

std::vector<std::string> Proxy::reload() {
  return impl_->call([&] { return impl_->server->reload(); });
}

std::vector<std::string> Proxy::reload(std::vector<YamlText> texts) {
  return impl_->call([&] {
    impl_->server->useConfigTexts(std::move(texts));
    return impl_->server->reload();
  });
}

}  // namespace weir
