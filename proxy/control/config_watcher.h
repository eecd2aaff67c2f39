// Watches the configuration files and directories with inotify and calls back,
// debounced, when any of them changes on disk.
//
// A file is watched through its parent directory, so editors that write a new
// file and rename it over the old one (vim, sed -i, kubectl-style tools) are seen
// like in-place writes; a file that is a symlink is also watched where its target
// lives. Runs on the main thread's event loop.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "common/libevent_handles.h"

namespace weir::proxy {

class ConfigWatcher {
 public:
  // `paths` as given with -c. `on_change` runs on `loop`'s thread once changes
  // have been quiet for `debounce`. Logs to `log` (null: spdlog's default logger).
  ConfigWatcher(event_base* loop, const std::vector<std::string>& paths,
                std::chrono::milliseconds debounce, std::function<void()> on_change,
                std::shared_ptr<spdlog::logger> log = nullptr);
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  bool active() const { return inotify_fd_ >= 0; }

 private:
  static void onReadable(evutil_socket_t fd, short, void* self);
  static void onQuiet(evutil_socket_t, short, void* self);
  // Watches `directory` for events on `name` ("": any YAML file).
  void watch(const std::string& directory, const std::string& name);
  bool isRelevant(int watch, const char* name) const;

  int inotify_fd_ = -1;
  // watch descriptor -> the names inside that directory we care about
  // ("": every *.yaml / *.yml in it; "..*": every name starting with "..").
  std::map<int, std::set<std::string>> watched_;
  std::chrono::milliseconds debounce_;
  std::function<void()> on_change_;
  std::shared_ptr<spdlog::logger> log_;  // never null
  EventPtr read_event_;
  EventPtr debounce_timer_;
};

}  // namespace weir::proxy
