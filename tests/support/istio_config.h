// Istio YAML for tests, built in C++ that reads like the YAML it writes:
//
//   istio::Config config;
//   config.add(istio::Gateway("gw").server(istio::Server(9000)));
//   config.add(istio::VirtualService("vs").gateways({"gw"}).tcp(
//       istio::Rule().match(istio::Match().port(9000)).to({"echo", "v1", 9000}, 80)
//                                                     .to({"echo", "v2", 9000}, 20)));
//   config.add(istio::DestinationRule("dr", "echo")
//                  .trafficPolicy(istio::TrafficPolicy().connectionPool(
//                      istio::TcpSettings().connectTimeout("1s")))
//                  .subset(istio::Subset::byVersion("v1"))
//                  .subset(istio::Subset::byVersion("v2")));
//   config.add(istio::ServiceEntry("echo").hosts({"echo"}).port(9000).resolution("STATIC")
//                  .endpoint(istio::Endpoint::local(one.port()).version("v1"))
//                  .endpoint(istio::Endpoint::local(two.port()).version("v2")));
//   ReadyWeir weir(dir, {config.writeFileIn(dir)});
//
// Fields appear in the order they are first set; values are written as given, so a
// test can also write what Istio refuses (a negative weight). Scenarios most tests
// share are in istio_scenarios.h. Tests of the YAML parser itself keep their YAML
// literal (tests/config, golden files, the conformance corpus).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/yaml_node.h"

namespace weir::test::istio {

using StringMap = std::map<std::string, std::string>;  // labels, annotations, selectors

// What every kind has: apiVersion networking.istio.io/v1, kind, metadata (name,
// namespace, annotations) and spec.
template <class Self>
class IstioObject {
 public:
  Self& annotation(const std::string& key, const std::string& value) {
    annotations_.set(key, value);
    return self();
  }
  Self& annotations(const StringMap& values) {
    for (const auto& [key, value] : values) annotations_.set(key, value);
    return self();
  }
  Self& inNamespace(std::string name) {
    namespace_ = std::move(name);
    return self();
  }
  const std::string& name() const { return name_; }

  YamlNode document() const {
    YamlNode metadata = YamlNode::mapping();
    metadata.set("name", name_);
    if (!namespace_.empty()) metadata.set("namespace", namespace_);
    if (!annotations_.empty()) metadata.set("annotations", annotations_);
    YamlNode document = YamlNode::mapping();
    document.set("apiVersion", "networking.istio.io/v1");
    document.set("kind", kind_);
    document.set("metadata", std::move(metadata));
    document.set("spec", spec_);
    return document;
  }

 protected:
  IstioObject(const char* kind, std::string name) : kind_(kind), name_(std::move(name)) {}
  Self& self() { return static_cast<Self&>(*this); }

  YamlNode spec_ = YamlNode::mapping();

 private:
  const char* kind_;
  std::string name_;
  std::string namespace_;
  YamlNode annotations_ = YamlNode::mapping();
};

// ---- Gateway --------------------------------------------------------------------

// servers[]: port {number, name, protocol}, hosts ["*"] unless hosts() says others.
class Server {
 public:
  explicit Server(uint16_t number, std::string name = "tcp", std::string protocol = "TCP");
  Server& hosts(const std::vector<std::string>& hosts);
  Server& bind(std::string address);  // "127.0.0.2", "unix:///run/gw.sock"
  Server& tlsPassthrough();           // tls: {mode: PASSTHROUGH}
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

class Gateway : public IstioObject<Gateway> {
 public:
  explicit Gateway(std::string name) : IstioObject("Gateway", std::move(name)) {}
  Gateway& selector(const StringMap& labels);
  Gateway& server(const Server& server);
};

// ---- VirtualService -------------------------------------------------------------

// One block of a rule's match[]: its fields are ANDed, blocks are ORed.
class Match {
 public:
  Match& port(uint16_t number);
  Match& gateways(const std::vector<std::string>& gateways);
  Match& sourceSubnet(std::string subnet);
  Match& destinationSubnets(const std::vector<std::string>& subnets);
  Match& sniHosts(const std::vector<std::string>& hosts);  // tls rules
  Match& sourceLabels(const StringMap& labels);
  Match& sourceNamespace(std::string name);
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

// route[].destination: {host, port: {number}, subset}; an empty subset or a port
// of 0 is left out.
struct Destination {
  std::string host;
  std::string subset{};
  uint16_t port = 0;
};

// One tcp[] or tls[] rule: match[] and route[].
class Rule {
 public:
  Rule& match(const Match& block);
  Rule& to(const Destination& destination);              // no weight: takes all
  Rule& to(const Destination& destination, int weight);  // written as is
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

// hosts ["*"] unless hosts() says others.
class VirtualService : public IstioObject<VirtualService> {
 public:
  explicit VirtualService(std::string name);
  VirtualService& hosts(const std::vector<std::string>& hosts);
  VirtualService& gateways(const std::vector<std::string>& gateways);
  VirtualService& tcp(const Rule& rule);
  VirtualService& tls(const Rule& rule);
};

// ---- DestinationRule ------------------------------------------------------------

// connectionPool.tcp; durations in Go's syntax ("1s", "500ms").
class TcpSettings {
 public:
  TcpSettings& maxConnections(uint32_t count);
  TcpSettings& connectTimeout(std::string duration);
  TcpSettings& idleTimeout(std::string duration);
  TcpSettings& maxConnectionDuration(std::string duration);
  TcpSettings& tcpKeepalive(std::string time, std::string interval, uint32_t probes);
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

class OutlierDetection {
 public:
  OutlierDetection& consecutive5xxErrors(uint32_t count);
  OutlierDetection& consecutiveGatewayErrors(uint32_t count);
  OutlierDetection& interval(std::string duration);
  OutlierDetection& baseEjectionTime(std::string duration);
  OutlierDetection& maxEjectionPercent(int percent);
  OutlierDetection& minHealthPercent(int percent);
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

class TrafficPolicy {
 public:
  TrafficPolicy& connectionPool(const TcpSettings& tcp);  // connectionPool: {tcp: ...}
  TrafficPolicy& loadBalancer(std::string simple);        // loadBalancer: {simple: ...}
  TrafficPolicy& consistentHashOnSourceIp();              // loadBalancer.consistentHash.useSourceIp
  TrafficPolicy& outlierDetection(const OutlierDetection& detection);
  TrafficPolicy& proxyProtocol(std::string version);  // "V1", "V2"
  // portLevelSettings[]: `policy` for destination port `number`.
  TrafficPolicy& portLevel(uint16_t number, const TrafficPolicy& policy);
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

class Subset {
 public:
  Subset(std::string name, const StringMap& labels);
  // Named `version`, selecting label version=<version>, as in Istio's samples.
  static Subset byVersion(const std::string& version) {
    return Subset(version, {{"version", version}});
  }
  Subset& trafficPolicy(const TrafficPolicy& policy);
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

class DestinationRule : public IstioObject<DestinationRule> {
 public:
  DestinationRule(std::string name, std::string host);
  DestinationRule& trafficPolicy(const TrafficPolicy& policy);
  DestinationRule& subset(const Subset& subset);
};

// ---- ServiceEntry and WorkloadEntry ---------------------------------------------

// endpoints[]: {address, ports {name: number}, labels, weight}.
class Endpoint {
 public:
  explicit Endpoint(std::string address);  // an IP, a host name, "unix:///path"
  // 127.0.0.1 with port `name` at `number`.
  static Endpoint local(uint16_t number, const std::string& name = "tcp") {
    return Endpoint("127.0.0.1").port(name, number);
  }
  Endpoint& port(const std::string& name, uint16_t number);
  Endpoint& label(const std::string& key, const std::string& value);
  Endpoint& version(const std::string& version) { return label("version", version); }
  Endpoint& weight(uint32_t weight);
  const YamlNode& yaml() const { return node_; }

 private:
  YamlNode node_ = YamlNode::mapping();
};

class ServiceEntry : public IstioObject<ServiceEntry> {
 public:
  explicit ServiceEntry(std::string name) : IstioObject("ServiceEntry", std::move(name)) {}
  ServiceEntry& hosts(const std::vector<std::string>& hosts);
  ServiceEntry& addresses(const std::vector<std::string>& addresses);
  // ports[]: {number, name, protocol}; an empty protocol is left out.
  ServiceEntry& port(uint16_t number, std::string name = "tcp", std::string protocol = "TCP");
  ServiceEntry& resolution(std::string resolution);  // "STATIC", "DNS", ...
  ServiceEntry& endpoint(const Endpoint& endpoint);
  ServiceEntry& workloadSelector(const StringMap& labels);
};

class WorkloadEntry : public IstioObject<WorkloadEntry> {
 public:
  WorkloadEntry(std::string name, std::string address);
  WorkloadEntry& port(const std::string& name, uint16_t number);
  WorkloadEntry& labels(const StringMap& labels);
};

// ---- A set of objects ------------------------------------------------------------

enum class Kind { kGateway, kVirtualService, kDestinationRule, kServiceEntry, kWorkloadEntry };

class Config {
 public:
  // Adds an object after those already added; the reference stays valid while
  // this Config lives (later add()s included).
  template <class Object>
  Object& add(Object object) {
    return std::get<Object>(documents_.emplace_back(std::move(object)));
  }

  // The index-th object of a kind, in the order added; throws std::out_of_range.
  Gateway& gateway(size_t index = 0) { return nth<Gateway>(index); }
  VirtualService& virtualService(size_t index = 0) { return nth<VirtualService>(index); }
  DestinationRule& destinationRule(size_t index = 0) { return nth<DestinationRule>(index); }
  ServiceEntry& serviceEntry(size_t index = 0) { return nth<ServiceEntry>(index); }

  // Subset `version` (selecting label version=<version>) in the first
  // DestinationRule, and an endpoint 127.0.0.1:<port> labelled so in the first
  // ServiceEntry per port, in order.
  Config& addVersionSubset(const std::string& version, const std::vector<uint16_t>& ports);

  // A TCP server `server_name` on `port` in the first Gateway, and a tcp rule in
  // the first VirtualService that sends what arrives on `port` to `destination`
  // (weight 100).
  Config& addPortRoute(const std::string& server_name, uint16_t port,
                       const Destination& destination);

  // Every document in the order added, "---" between them.
  std::string yaml() const;
  // Only the documents of `kind`.
  std::string yaml(Kind kind) const;

  // Writes yaml() to `file` (creating its folder) by replaceFile; returns `file`.
  std::filesystem::path write(const std::filesystem::path& file) const;
  // One file per kind present, named fileName(kind), into `dir` (created if
  // needed), each by replaceFile; returns `dir`.
  std::filesystem::path writeSplit(const std::filesystem::path& dir) const;
  // The same into a fresh folder of `dir` ("config", "config-2", ...): write() as
  // istio.yaml, returning the file; writeSplit(), returning the folder.
  std::filesystem::path writeFileIn(const TempDir& dir) const;
  std::filesystem::path writeSplitIn(const TempDir& dir) const;
  // The names writeSplit writes, in the order of Kind.
  std::vector<std::string> splitFileNames() const;
  static std::string fileName(Kind kind);  // "gateway.yaml", "virtual-service.yaml", ...

 private:
  using Document =
      std::variant<Gateway, VirtualService, DestinationRule, ServiceEntry, WorkloadEntry>;

  template <class Object>
  Object& nth(size_t index) {
    for (Document& document : documents_) {
      if (Object* object = std::get_if<Object>(&document); object && index-- == 0) return *object;
    }
    throw std::out_of_range("istio::Config has no such object");
  }

  std::deque<Document> documents_;  // a deque: add() keeps earlier references valid
};

}  // namespace weir::test::istio
