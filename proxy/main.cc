// weir: a local, Envoy-style TCP proxy configured by Istio YAML.
#include <cstdio>
#include <iostream>
#include <memory>

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <weir/proxy.h>

#include "common/build_info.h"
#include "common/file_limit.h"
#include "common/usage_error.h"
#include "config/loader.h"
#include "proxy/command_line.h"
#include "proxy/control/proxy_log.h"
#include "proxy/control/settings_check.h"

namespace {

// weir's own log: the logger "weir" on standard error, in --log-format, at
// --log-level; also spdlog's default, for main's own lines.
std::shared_ptr<spdlog::logger> setUpOwnLog(const weir::ProxySettings& settings,
                                            const weir::proxy::CliOptions& options) {
  auto logs = spdlog::stderr_logger_mt("weir");
  weir::proxy::setLogFormat(*logs, options.log_format);
  logs->set_level(settings.log_level);
  spdlog::set_default_logger(logs);
  return logs;
}

// Returns the access logger (null with --access-log none); see main() for why it is kept.
std::shared_ptr<spdlog::logger> setUpAccessLog(const weir::proxy::CliOptions& options) {
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

// --validate: the configuration, and the command line against it, checked as a
// start would check them, without opening a socket or creating a file.
int validate(const weir::ProxySettings& settings, const weir::proxy::CliOptions& options) {
  using namespace weir;
  config::LoadResult loaded = config::load(
      settings.config_paths, config::LoadOptions{.strict_references = settings.strict_references});
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
  std::vector<std::string> errors = proxy::checkSettings(settings, *loaded.table);
  if (options.access_log_path != "-" && options.access_log_path != "none") {
    if (std::string why = proxy::whyNotWritable(options.access_log_path); !why.empty()) {
      errors.push_back("--access-log cannot be written: " + why);
    }
  }
  for (const std::string& error : errors) std::cerr << "weir: " << error << "\n";
  if (!errors.empty()) {
    std::cerr << "weir: the command line has " << errors.size() << " error(s)\n";
    return 1;
  }
  std::cout << "configuration OK: " << loaded.table->listeners.size() << " listener(s), "
            << loaded.table->routes.size() << " rule(s), " << loaded.table->clusters.size()
            << " cluster(s)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace weir;
  using weir::Proxy;
  const std::vector<std::string_view> arguments(argv + 1, argv + argc);
  proxy::CommandLine command_line;
  try {
    command_line = proxy::parseOptions(arguments);
  } catch (const cli::UsageError& error) {
    return cli::reportUsageError("weir", error);
  }
  // weir is main() over the library: the settings go to Proxy::runInForeground.
  ProxySettings& settings = command_line.settings;
  const proxy::CliOptions& options = command_line.cli;
  if (options.show_help) {
    std::cout << proxy::usageText();
    return 0;
  }
  if (options.show_version) {
    std::cout << versionLine("weir") << "\n";
    return 0;
  }
  if (options.validate_only) {
    return validate(settings, options);
  }

  settings.logger = setUpOwnLog(settings, options);
  // Held until spdlog::shutdown() has drained the queue and joined the background
  // thread, so the file sink is closed here after that join (an ordering ThreadSanitizer
  // sees) rather than by whichever thread drops the last reference inside libspdlog.
  std::shared_ptr<spdlog::logger> access_log;
  try {
    access_log = setUpAccessLog(options);
  } catch (const spdlog::spdlog_ex& error) {
    std::cerr << "weir: cannot open the access log: " << error.what() << "\n";
    return 1;
  }
  weir::raiseOpenFileLimit();  // two descriptors per connection

  int status = 1;
  try {
    status = Proxy::runInForeground(settings);
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
