#include "tests/support/istio_config.h"

#include <type_traits>

namespace weir::test::istio {
namespace {

YamlNode strings(const std::vector<std::string>& values) {
  YamlNode list = YamlNode::sequence();
  for (const std::string& value : values) list.append(value);
  return list;
}

YamlNode stringMap(const StringMap& values) {
  YamlNode map = YamlNode::mapping();
  for (const auto& [key, value] : values) map.set(key, value);
  return map;
}

YamlNode routeEntry(const Destination& destination) {
  YamlNode written = YamlNode::mapping();
  written.set("host", destination.host);
  if (destination.port != 0)
    written.set("port", YamlNode::mapping().set("number", destination.port));
  if (!destination.subset.empty()) written.set("subset", destination.subset);
  return YamlNode::mapping().set("destination", std::move(written));
}

YamlNode portNumber(uint16_t number) {
  YamlNode port = YamlNode::mapping();
  port.set("number", number);
  return port;
}

}  // namespace

// ---- Gateway --------------------------------------------------------------------

Server::Server(uint16_t number, std::string name, std::string protocol) {
  YamlNode port = YamlNode::mapping();
  port.set("number", number).set("name", std::move(name)).set("protocol", std::move(protocol));
  node_.set("port", std::move(port));
  node_.set("hosts", strings({"*"}));
}

Server& Server::hosts(const std::vector<std::string>& hosts) {
  node_.set("hosts", strings(hosts));
  return *this;
}

Server& Server::bind(std::string address) {
  node_.set("bind", std::move(address));
  return *this;
}

Server& Server::tlsPassthrough() {
  node_.mappingAt("tls").set("mode", "PASSTHROUGH");
  return *this;
}

Gateway& Gateway::selector(const StringMap& labels) {
  spec_.set("selector", stringMap(labels));
  return *this;
}

Gateway& Gateway::server(const Server& server) {
  spec_.sequenceAt("servers").append(server.yaml());
  return *this;
}

// ---- VirtualService -------------------------------------------------------------

Match& Match::port(uint16_t number) {
  node_.set("port", number);
  return *this;
}

Match& Match::gateways(const std::vector<std::string>& gateways) {
  node_.set("gateways", strings(gateways));
  return *this;
}

Match& Match::sourceSubnet(std::string subnet) {
  node_.set("sourceSubnet", std::move(subnet));
  return *this;
}

Match& Match::destinationSubnets(const std::vector<std::string>& subnets) {
  node_.set("destinationSubnets", strings(subnets));
  return *this;
}

Match& Match::sniHosts(const std::vector<std::string>& hosts) {
  node_.set("sniHosts", strings(hosts));
  return *this;
}

Match& Match::sourceLabels(const StringMap& labels) {
  node_.set("sourceLabels", stringMap(labels));
  return *this;
}

Match& Match::sourceNamespace(std::string name) {
  node_.set("sourceNamespace", std::move(name));
  return *this;
}

Rule& Rule::match(const Match& block) {
  node_.sequenceAt("match").append(block.yaml());
  return *this;
}

Rule& Rule::to(const Destination& destination) {
  node_.sequenceAt("route").append(routeEntry(destination));
  return *this;
}

Rule& Rule::to(const Destination& destination, int weight) {
  node_.sequenceAt("route").append(routeEntry(destination).set("weight", weight));
  return *this;
}

VirtualService::VirtualService(std::string name) : IstioObject("VirtualService", std::move(name)) {
  spec_.set("hosts", strings({"*"}));
}

VirtualService& VirtualService::hosts(const std::vector<std::string>& hosts) {
  spec_.set("hosts", strings(hosts));
  return *this;
}

VirtualService& VirtualService::gateways(const std::vector<std::string>& gateways) {
  spec_.set("gateways", strings(gateways));
  return *this;
}

VirtualService& VirtualService::tcp(const Rule& rule) {
  spec_.sequenceAt("tcp").append(rule.yaml());
  return *this;
}

VirtualService& VirtualService::tls(const Rule& rule) {
  spec_.sequenceAt("tls").append(rule.yaml());
  return *this;
}

// ---- DestinationRule ------------------------------------------------------------

TcpSettings& TcpSettings::maxConnections(uint32_t count) {
  node_.set("maxConnections", count);
  return *this;
}

TcpSettings& TcpSettings::connectTimeout(std::string duration) {
  node_.set("connectTimeout", std::move(duration));
  return *this;
}

TcpSettings& TcpSettings::idleTimeout(std::string duration) {
  node_.set("idleTimeout", std::move(duration));
  return *this;
}

TcpSettings& TcpSettings::maxConnectionDuration(std::string duration) {
  node_.set("maxConnectionDuration", std::move(duration));
  return *this;
}

TcpSettings& TcpSettings::tcpKeepalive(std::string time, std::string interval, uint32_t probes) {
  node_.mappingAt("tcpKeepalive")
      .set("time", std::move(time))
      .set("interval", std::move(interval))
      .set("probes", probes);
  return *this;
}

OutlierDetection& OutlierDetection::consecutive5xxErrors(uint32_t count) {
  node_.set("consecutive5xxErrors", count);
  return *this;
}

OutlierDetection& OutlierDetection::consecutiveGatewayErrors(uint32_t count) {
  node_.set("consecutiveGatewayErrors", count);
  return *this;
}

OutlierDetection& OutlierDetection::interval(std::string duration) {
  node_.set("interval", std::move(duration));
  return *this;
}

OutlierDetection& OutlierDetection::baseEjectionTime(std::string duration) {
  node_.set("baseEjectionTime", std::move(duration));
  return *this;
}

OutlierDetection& OutlierDetection::maxEjectionPercent(int percent) {
  node_.set("maxEjectionPercent", percent);
  return *this;
}

OutlierDetection& OutlierDetection::minHealthPercent(int percent) {
  node_.set("minHealthPercent", percent);
  return *this;
}

TrafficPolicy& TrafficPolicy::connectionPool(const TcpSettings& tcp) {
  node_.mappingAt("connectionPool").set("tcp", tcp.yaml());
  return *this;
}

TrafficPolicy& TrafficPolicy::loadBalancer(std::string simple) {
  node_.set("loadBalancer", YamlNode::mapping().set("simple", std::move(simple)));
  return *this;
}

TrafficPolicy& TrafficPolicy::consistentHashOnSourceIp() {
  YamlNode hash = YamlNode::mapping();
  hash.set("useSourceIp", YamlNode::boolean(true));
  node_.set("loadBalancer", YamlNode::mapping().set("consistentHash", std::move(hash)));
  return *this;
}

TrafficPolicy& TrafficPolicy::outlierDetection(const OutlierDetection& detection) {
  node_.set("outlierDetection", detection.yaml());
  return *this;
}

TrafficPolicy& TrafficPolicy::proxyProtocol(std::string version) {
  node_.set("proxyProtocol", YamlNode::mapping().set("version", std::move(version)));
  return *this;
}

TrafficPolicy& TrafficPolicy::portLevel(uint16_t number, const TrafficPolicy& policy) {
  YamlNode setting = YamlNode::mapping();
  setting.set("port", portNumber(number));
  for (const auto& [key, value] : policy.yaml().entries()) setting.set(key, value);
  node_.sequenceAt("portLevelSettings").append(std::move(setting));
  return *this;
}

Subset::Subset(std::string name, const StringMap& labels) {
  node_.set("name", std::move(name)).set("labels", stringMap(labels));
}

Subset& Subset::trafficPolicy(const TrafficPolicy& policy) {
  node_.set("trafficPolicy", policy.yaml());
  return *this;
}

DestinationRule::DestinationRule(std::string name, std::string host)
    : IstioObject("DestinationRule", std::move(name)) {
  spec_.set("host", std::move(host));
}

DestinationRule& DestinationRule::trafficPolicy(const TrafficPolicy& policy) {
  spec_.set("trafficPolicy", policy.yaml());
  return *this;
}

DestinationRule& DestinationRule::subset(const Subset& subset) {
  spec_.sequenceAt("subsets").append(subset.yaml());
  return *this;
}

// ---- ServiceEntry and WorkloadEntry ---------------------------------------------

Endpoint::Endpoint(std::string address) { node_.set("address", std::move(address)); }

Endpoint& Endpoint::port(const std::string& name, uint16_t number) {
  node_.mappingAt("ports").set(name, number);
  return *this;
}

Endpoint& Endpoint::label(const std::string& key, const std::string& value) {
  node_.mappingAt("labels").set(key, value);
  return *this;
}

Endpoint& Endpoint::weight(uint32_t weight) {
  node_.set("weight", weight);
  return *this;
}

ServiceEntry& ServiceEntry::hosts(const std::vector<std::string>& hosts) {
  spec_.set("hosts", strings(hosts));
  return *this;
}

ServiceEntry& ServiceEntry::addresses(const std::vector<std::string>& addresses) {
  spec_.set("addresses", strings(addresses));
  return *this;
}

ServiceEntry& ServiceEntry::port(uint16_t number, std::string name, std::string protocol) {
  YamlNode port = YamlNode::mapping();
  port.set("number", number).set("name", std::move(name));
  if (!protocol.empty()) port.set("protocol", std::move(protocol));
  spec_.sequenceAt("ports").append(std::move(port));
  return *this;
}

ServiceEntry& ServiceEntry::resolution(std::string resolution) {
  spec_.set("resolution", std::move(resolution));
  return *this;
}

ServiceEntry& ServiceEntry::endpoint(const Endpoint& endpoint) {
  spec_.sequenceAt("endpoints").append(endpoint.yaml());
  return *this;
}

ServiceEntry& ServiceEntry::workloadSelector(const StringMap& labels) {
  spec_.set("workloadSelector", YamlNode::mapping().set("labels", stringMap(labels)));
  return *this;
}

WorkloadEntry::WorkloadEntry(std::string name, std::string address)
    : IstioObject("WorkloadEntry", std::move(name)) {
  spec_.set("address", std::move(address));
}

WorkloadEntry& WorkloadEntry::port(const std::string& name, uint16_t number) {
  spec_.mappingAt("ports").set(name, number);
  return *this;
}

WorkloadEntry& WorkloadEntry::labels(const StringMap& labels) {
  spec_.set("labels", stringMap(labels));
  return *this;
}

// ---- A set of objects ------------------------------------------------------------

Config& Config::addVersionSubset(const std::string& version, const std::vector<uint16_t>& ports) {
  destinationRule().subset(Subset::byVersion(version));
  for (uint16_t port : ports) serviceEntry().endpoint(Endpoint::local(port).version(version));
  return *this;
}

Config& Config::addPortRoute(const std::string& server_name, uint16_t port,
                             const Destination& destination) {
  gateway().server(Server(port, server_name));
  virtualService().tcp(Rule().match(Match().port(port)).to(destination, 100));
  return *this;
}

namespace {

template <class Object>
constexpr Kind kKindOf = Kind::kGateway;
template <>
constexpr Kind kKindOf<VirtualService> = Kind::kVirtualService;
template <>
constexpr Kind kKindOf<DestinationRule> = Kind::kDestinationRule;
template <>
constexpr Kind kKindOf<ServiceEntry> = Kind::kServiceEntry;
template <>
constexpr Kind kKindOf<WorkloadEntry> = Kind::kWorkloadEntry;

constexpr Kind kKinds[] = {Kind::kGateway, Kind::kVirtualService, Kind::kDestinationRule,
                           Kind::kServiceEntry, Kind::kWorkloadEntry};

}  // namespace

std::string Config::yaml() const {
  std::string text;
  for (const Document& document : documents_) {
    if (!text.empty()) text += "---\n";
    text += std::visit([](const auto& object) { return object.document().toYaml(); }, document);
  }
  return text;
}

std::string Config::yaml(Kind kind) const {
  std::string text;
  for (const Document& document : documents_) {
    std::visit(
        [&](const auto& object) {
          if (kKindOf<std::decay_t<decltype(object)>> != kind) return;
          if (!text.empty()) text += "---\n";
          text += object.document().toYaml();
        },
        document);
  }
  return text;
}

std::filesystem::path Config::write(const std::filesystem::path& file) const {
  std::filesystem::create_directories(file.parent_path());
  replaceFile(file, yaml());
  return file;
}

std::filesystem::path Config::writeSplit(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  for (Kind kind : kKinds) {
    const std::string text = yaml(kind);
    if (!text.empty()) replaceFile(dir / fileName(kind), text);
  }
  return dir;
}

std::filesystem::path Config::writeFileIn(const TempDir& dir) const {
  return write(dir.freshSubdir("config") / "istio.yaml");
}

std::filesystem::path Config::writeSplitIn(const TempDir& dir) const {
  return writeSplit(dir.freshSubdir("config"));
}

std::vector<std::string> Config::splitFileNames() const {
  std::vector<std::string> names;
  for (Kind kind : kKinds) {
    if (!yaml(kind).empty()) names.push_back(fileName(kind));
  }
  return names;
}

std::string Config::fileName(Kind kind) {
  switch (kind) {
    case Kind::kGateway:
      return "gateway.yaml";
    case Kind::kVirtualService:
      return "virtual-service.yaml";
    case Kind::kDestinationRule:
      return "destination-rule.yaml";
    case Kind::kServiceEntry:
      return "service-entry.yaml";
    case Kind::kWorkloadEntry:
      return "workload-entry.yaml";
  }
  return "unknown.yaml";
}

}  // namespace weir::test::istio
