#include "proxy/control/config_watcher.h"

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

// Watch entry meaning "any name starting with ..", as ConfigMap mounts use.
constexpr const char* kDotDotNames = "..*";

}  // namespace

ConfigWatcher::ConfigWatcher(event_base* loop, const std::vector<std::string>& paths,
                             std::chrono::milliseconds debounce, std::function<void()> on_change,
                             std::shared_ptr<spdlog::logger> log)
    : debounce_(debounce),
      on_change_(std::move(on_change)),
      log_(log ? std::move(log) : spdlog::default_logger()) {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) {
    log_->warn("cannot watch the configuration for changes: {}", std::strerror(errno));
    return;
  }
  for (const std::string& path : paths) {
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    if (std::filesystem::is_directory(path, error)) {
      watch(absolute.string(), "");  // every YAML file in it
      continue;
    }
    watch(absolute.parent_path().string(), absolute.filename().string());
    if (std::filesystem::is_symlink(absolute, error)) {
      // Edits land on the link's target, wherever it lives; and a Kubernetes
      // ConfigMap mount updates by swapping a "..data" link beside the file.
      const std::filesystem::path target = std::filesystem::canonical(absolute, error);
      if (!error) {
        watch(target.parent_path().string(), target.filename().string());
      }
      watch(absolute.parent_path().string(), kDotDotNames);
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

void ConfigWatcher::watch(const std::string& directory, const std::string& name) {
  const int descriptor = inotify_add_watch(inotify_fd_, directory.c_str(), kDirectoryEvents);
  if (descriptor < 0) {
    log_->warn("cannot watch {} for changes: {}", directory, std::strerror(errno));
    return;
  }
  watched_[descriptor].insert(name);
}

bool ConfigWatcher::isRelevant(int watch, const char* name) const {
  auto found = watched_.find(watch);
  if (found == watched_.end() || name == nullptr) {
    return false;
  }
  const std::set<std::string>& names = found->second;
  const std::string_view event_name(name);
  return (names.contains("") && isYamlName(event_name)) ||
         (names.contains(kDotDotNames) && event_name.starts_with("..")) ||
         names.contains(std::string(event_name));
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
