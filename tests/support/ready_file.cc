#include "ready_file.h"

#include <system_error>
#include <thread>

#include "json_value.h"
#include "temp_dir.h"

namespace weir::test {
namespace {

bool fail(std::string* error, const std::string& why) {
  if (error != nullptr) *error = why;
  return false;
}

std::optional<uint16_t> portOf(const JsonValue* value) {
  if (value == nullptr) return std::nullopt;
  std::optional<uint64_t> number = value->asUnsigned();
  if (!number || *number > 65535) return std::nullopt;
  return static_cast<uint16_t>(*number);
}

bool readListener(const JsonValue& item, ReadyListener& listener, std::string* error) {
  const JsonValue* gateway = item.find("gateway");
  const JsonValue* server = item.find("server");
  const JsonValue* address = item.find("address");
  std::optional<uint16_t> configured = portOf(item.find("configured_port"));
  std::optional<uint16_t> port = portOf(item.find("port"));
  if (gateway == nullptr || !gateway->isString() || server == nullptr || !server->isString() ||
      address == nullptr || !address->isString() || !configured || !port ||
      // Only a Unix socket listens without a port.
      (*port == 0 && !address->string.starts_with("unix://"))) {
    return fail(error, "malformed listener " + item.describe());
  }
  listener = ReadyListener{gateway->string, server->string, *configured, address->string, *port};
  return true;
}

}  // namespace

const ReadyListener* ReadyInfo::listener(uint16_t configured_port) const {
  for (const ReadyListener& candidate : listeners) {
    if (candidate.configured_port == configured_port) return &candidate;
  }
  return nullptr;
}

std::optional<ReadyInfo> parseReadyFile(const std::string& text, std::string* error) {
  std::string parse_error;
  std::optional<JsonValue> document = parseJson(text, &parse_error);
  if (!document) {
    fail(error, "not JSON (" + parse_error + "): " + text);
    return std::nullopt;
  }
  const JsonValue* listeners = document->find("listeners");
  const JsonValue* admin = document->find("admin");
  const JsonValue* pid = document->find("pid");
  if (listeners == nullptr || !listeners->isArray() || admin == nullptr || pid == nullptr ||
      !pid->asUnsigned()) {
    fail(error, "missing listeners, admin or pid: " + text);
    return std::nullopt;
  }
  ReadyInfo info;
  info.pid = static_cast<int64_t>(*pid->asUnsigned());
  for (const JsonValue& item : listeners->items) {
    ReadyListener listener;
    if (!readListener(item, listener, error)) return std::nullopt;
    info.listeners.push_back(std::move(listener));
  }
  if (!admin->isNull()) {
    const JsonValue* address = admin->find("address");
    std::optional<uint16_t> port = portOf(admin->find("port"));
    if (address == nullptr || !address->isString() || !port || *port == 0) {
      fail(error, "malformed admin " + admin->describe());
      return std::nullopt;
    }
    info.admin_address = address->string;
    info.admin_port = *port;
  }
  return info;
}

std::optional<ReadyInfo> waitForReadyFile(const std::filesystem::path& path, ChildProcess& process,
                                          std::chrono::milliseconds timeout, std::string* error) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::error_code ignored;
    if (std::filesystem::exists(path, ignored)) {
      return parseReadyFile(readTextFile(path), error);
    }
    if (!process.running()) {
      fail(error, "exited (" + process.waitForExit(std::chrono::milliseconds(0))->describe() +
                      ") before writing " + path.string());
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      fail(error, "no ready file " + path.string() + " within " +
                      std::to_string(timeout.count()) + " ms");
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace weir::test
