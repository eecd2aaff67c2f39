// weir: a local, Envoy-style TCP proxy configured by Istio YAML.
#include <cstdio>
#include <iostream>
#include <memory>

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/file_limit.h"
#include "config/loader.h"
#include "proxy/options.h"
#include "proxy/include/weir/proxy.h"

namespace {

// Returns the access logger (null with --access-log none); see main() for why it is kept.
std::shared_ptr<spdlog::logger> setUpLogging(const weir::proxy::Options& options) {
  auto logs = spdlog::stderr_logger_mt("weir");
  logs->set_pattern("[%Y-%m-%dT%H:%M:%S.%e] [%^%l%$] %v");
  logs->set_level(spdlog::level::from_str(options.log_level));
  spdlog::set_default_logger(logs);
  if (options.access_log_path == "none") {
    return nullptr;
  }
  // Access-log lines are formatted on the worker and written by spdlog's
  // background thread, so a slow disk or terminal never stalls the data path.
  // The queue blocks rather than drops when full: no line is lost.
  spdlog::init_thread_pool(64 * 1024, 1);
  spdlog::sink_ptr sink;
  if (options.access_log_path == "-") {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.access_log_path);
  }
  auto access = std::make_shared<spdlog::async_logger>(
      "access", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::block);
  access->set_pattern("%v");
  access->set_level(spdlog::level::info);
  access->flush_on(spdlog::level::info);
  spdlog::register_logger(access);
  return access;
}

// The command line as the library's settings: weir is main() over weir/proxy.h.
weir::ProxySettings toSettings(const weir::proxy::Options& options) {
  weir::ProxySettings settings;
  settings.config_paths = options.config_paths;
  settings.bind_address = options.bind_address;
  settings.port_overrides = options.port_overrides;
  settings.admin_address = options.admin_address;
  settings.admin_port = options.admin_port;
  settings.concurrency = options.concurrency;
  settings.seed = options.seed;
  settings.watch_files = options.watch_files;
  settings.strict_references = options.strict_references;
  settings.buffer_limit = options.buffer_limit;
  settings.splice_after = options.splice_after;
  settings.drain_time_seconds = options.drain_time_seconds;
  settings.listener_filter_timeout = options.listener_filter_timeout;
  settings.max_connections = options.max_connections;
  settings.max_connect_attempts = options.max_connect_attempts;
  settings.dns_refresh_seconds = options.dns_refresh_seconds;
  settings.dns_resolvers = options.dns_resolvers;
  settings.labels = options.labels;
  settings.namespace_name = options.namespace_name;
  settings.access_log_json = options.access_log_json;
  settings.ready_file = options.ready_file;
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace weir;
  using weir::Proxy;
  auto parsed = proxy::parseOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (auto* error = std::get_if<proxy::OptionsError>(&parsed)) {
    std::cerr << "weir: " << error->message << "\n";
    return 2;
  }
  const proxy::Options& options = std::get<proxy::Options>(parsed);
  if (options.show_help) {
    std::cout << proxy::usageText();
    return 0;
  }
  if (options.show_version) {
    std::cout << "weir " << WEIR_VERSION << "\n";
    return 0;
  }

  if (options.validate_only) {
    config::LoadResult loaded = config::load(
        options.config_paths, config::LoadOptions{.strict_references = options.strict_references});
    for (const config::Diagnostic& warning : loaded.warnings) {
      std::cerr << "warning: " << warning.toString() << "\n";
    }
    for (const config::Diagnostic& error : loaded.errors) {
      std::cerr << error.toString() << "\n";
    }
    if (!loaded.ok()) {
      std::cerr << "weir: configuration has " << loaded.errors.size() << " error(s)\n";
      return 1;
    }
    std::cout << "configuration OK: " << loaded.table->listeners.size() << " listener(s), "
              << loaded.table->routes.size() << " rule(s), " << loaded.table->clusters.size()
              << " cluster(s)\n";
    return 0;
  }

  // Held until spdlog::shutdown() has drained the queue and joined the background
  // thread, so the file sink is closed here after that join (an ordering ThreadSanitizer
  // sees) rather than by whichever thread drops the last reference inside libspdlog.
  std::shared_ptr<spdlog::logger> access_log;
  try {
    access_log = setUpLogging(options);
  } catch (const spdlog::spdlog_ex& error) {
    std::cerr << "weir: cannot open the access log: " << error.what() << "\n";
    return 1;
  }
  weir::raiseOpenFileLimit();  // two descriptors per connection

  int status = 1;
  try {
    status = Proxy::runInForeground(toSettings(options));
  } catch (const ConfigError& error) {
    for (const std::string& line : error.errors()) std::cerr << line << "\n";
    std::cerr << "weir: configuration has " << error.errors().size() << " error(s)\n";
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
  }
  spdlog::shutdown();  // flushes the access log's queue, joins its thread
  access_log.reset();
  return status;
}
