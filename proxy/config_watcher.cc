#include "proxy/config_watcher.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace weir::proxy {
namespace {

constexpr uint32_t kDirectoryEvents =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY;

bool isYamlName(std::string_view name) {
  return name.ends_with(".yaml") || name.ends_with(".yml");
}

}  // namespace

ConfigWatcher::ConfigWatcher(event_base* loop, const std::vector<std::string>& paths,
                             std::chrono::milliseconds debounce, std::function<void()> on_change)
    : debounce_(debounce), on_change_(std::move(on_change)) {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) {
    spdlog::warn("cannot watch the configuration for changes: {}", std::strerror(errno));
    return;
  }
  for (const std::string& path : paths) {
    std::error_code error;
    const bool is_directory = std::filesystem::is_directory(path, error);
    std::filesystem::path absolute = std::filesystem::absolute(path, error);
    const std::string directory = is_directory ? absolute.string()
                                               : absolute.parent_path().string();
    const int watch = inotify_add_watch(inotify_fd_, directory.c_str(), kDirectoryEvents);
    if (watch < 0) {
      spdlog::warn("cannot watch {} for changes: {}", directory, std::strerror(errno));
      continue;
    }
    std::set<std::string>& names = watched_[watch];
    if (!is_directory) {
      names.insert(absolute.filename().string());
    } else {
      names.clear();  // the whole directory: every YAML file in it
      names.insert("");
    }
  }
  read_event_.reset(event_new(loop, inotify_fd_, EV_READ | EV_PERSIST,
                              &ConfigWatcher::onReadable, this));
  event_add(read_event_.get(), nullptr);
  debounce_timer_.reset(evtimer_new(loop, &ConfigWatcher::onQuiet, this));
}

ConfigWatcher::~ConfigWatcher() {
  read_event_.reset();
  debounce_timer_.reset();
  if (inotify_fd_ >= 0) {
    close(inotify_fd_);
  }
}

bool ConfigWatcher::isRelevant(int watch, const char* name) const {
  auto found = watched_.find(watch);
  if (found == watched_.end() || name == nullptr) {
    return false;
  }
  const std::set<std::string>& names = found->second;
  if (names.contains("")) {
    return isYamlName(name);
  }
  return names.contains(name);
}

void ConfigWatcher::onReadable(evutil_socket_t fd, short, void* self) {
  auto* watcher = static_cast<ConfigWatcher*>(self);
  alignas(inotify_event) char buffer[16 * 1024];
  bool relevant = false;
  for (int round = 0; round < 64; ++round) {  // bounded: drain what is queued now
    const ssize_t length = read(fd, buffer, sizeof buffer);
    if (length <= 0) {
      break;
    }
    for (ssize_t offset = 0; offset < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      if (event->len > 0 && watcher->isRelevant(event->wd, event->name)) {
        relevant = true;
      }
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  if (relevant) {
    // Restart the quiet period: an editor's save is several events.
    const auto ms = watcher->debounce_.count();
    timeval delay{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
    evtimer_add(watcher->debounce_timer_.get(), &delay);
  }
}

void ConfigWatcher::onQuiet(evutil_socket_t, short, void* self) {
  static_cast<ConfigWatcher*>(self)->on_change_();
}

}  // namespace weir::proxy
