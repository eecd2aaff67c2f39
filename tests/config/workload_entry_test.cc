// Standalone WorkloadEntries selected by a ServiceEntry's workloadSelector, and
// IPv6 endpoint addresses.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kGatewayYaml;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

// A VirtualService on gw to echo (and `subset`).
std::string routeToEcho(const std::string& subset = "") {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: route}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
)") + "    - destination: {host: echo" + (subset.empty() ? "" : ", subset: " + subset) + "}\n";
}

// ServiceEntry echo (port 9000 "tcp", targetPort 7000) selecting app=echo.
const std::string kSelectingEntry = yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, targetPort: 7000}]
  resolution: STATIC
  workloadSelector:
    labels: {app: echo}
)");

// A WorkloadEntry named `name` in `ns` with `body` as its spec.
std::string workload(const std::string& name, const std::string& body,
                     const std::string& ns = "default") {
  return "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec:\n" + yaml(body);
}

// test.yaml: the WorkloadEntries (each line 1..), then `entry` and a route.
LoadResult load(const std::string& workloads, const std::string& entry = kSelectingEntry,
                const std::string& subset = "") {
  return loadFromText({{"base.yaml", kGatewayYaml + "---\n" + entry + "---\n" + routeToEcho(subset)},
                       {"test.yaml", workloads}});
}

const std::string kThreeWorkloads =
    workload("echo-a", R"(
  address: 10.0.0.1
  ports: {tcp: 9001}
  labels: {app: echo, version: v1}
  weight: 3
)") + "---\n" +
    workload("echo-b", R"(
  address: "::1"
  labels: {app: echo, version: v2}
)") + "---\n" +
    workload("other", R"(
  address: 10.0.0.9
  labels: {app: other}
)") + "---\n" +
    workload("elsewhere", R"(
  address: 10.0.0.8
  labels: {app: echo}
)", "prod");

TEST(WorkloadEntryTest, ASelectorTakesTheMatchingEntriesOfItsNamespace) {
  const LoadResult result = load(kThreeWorkloads);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->clusters.size(), 1u);
  const std::vector<UpstreamEndpoint>& endpoints = result.table->clusters[0].endpoints;
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0].address, "10.0.0.1");
  EXPECT_EQ(endpoints[0].port, 9001) << "mapped by port name";
  EXPECT_EQ(endpoints[0].weight, 3u);
  EXPECT_EQ(endpoints[0].position.file, "test.yaml");
  EXPECT_EQ(endpoints[0].position.line, 5);
  EXPECT_EQ(endpoints[0].field, "spec.address");
  EXPECT_EQ(endpoints[1].address, "::1") << "IPv6";
  EXPECT_EQ(endpoints[1].port, 7000) << "no port of its own: the targetPort";
  EXPECT_EQ(endpoints[1].weight, 1u);
  // The two that are not selected are reported, not silently dropped.
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:19:18: metadata.name: WorkloadEntry default/other is selected by "
                     "no ServiceEntry's workloadSelector; unused",
                     "test.yaml:26:18: metadata.name: WorkloadEntry prod/elsewhere is selected by "
                     "no ServiceEntry's workloadSelector; unused"}));
}

TEST(WorkloadEntryTest, SubsetsPickAmongTheSelectedEntries) {
  const std::string entry_and_rule = kSelectingEntry + yaml(R"(
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  subsets:
  - {name: v2, labels: {version: v2}}
)");
  const LoadResult result = load(kThreeWorkloads, entry_and_rule, "v2");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->clusters.at(0).endpoints.size(), 1u);
  EXPECT_EQ(result.table->clusters[0].endpoints[0].address, "::1");
}

// As in Istio, the workloads may come later; until then Envoy closes what is routed
// there, and Weir warns.
TEST(WorkloadEntryTest, NothingSelectedIsAWarning) {
  const LoadResult result = load(workload("other", "  address: 10.0.0.9\n  labels: {app: x}\n"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.table->clusters.at(0).endpoints.empty());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"base.yaml:32:27: spec.tcp[0].route[0].destination.host: ServiceEntry "
                     "default/echo has no endpoints (its workloadSelector selects no "
                     "WorkloadEntry); connections routed there are closed",
                     "test.yaml:3:18: metadata.name: WorkloadEntry default/other is selected by no "
                     "ServiceEntry's workloadSelector; unused"}));
}

TEST(WorkloadEntryTest, AStaticEntrySkipsHostNamesWithAWarningADnsEntryTakesThem) {
  const std::string named = workload("named", R"(
  address: echo-v1.internal
  labels: {app: echo}
)") + "---\n" + workload("numbered", "  address: 10.0.0.1\n  labels: {app: echo}\n");
  const LoadResult result = load(named);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->clusters.at(0).endpoints.size(), 1u);
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:5:12: spec.address: WorkloadEntry default/named has a host name, "
                     "so ServiceEntry default/echo (resolution STATIC) does not use it"}));

  std::string dns_entry = kSelectingEntry;
  dns_entry.replace(dns_entry.find("STATIC"), 6, "DNS");
  dns_entry.replace(dns_entry.find("hosts: [echo]"), 13, "hosts: [echo.example.com]");
  const LoadResult dns = loadFromText(
      {{"base.yaml", kGatewayYaml + "---\n" + dns_entry + "---\n" +
                         yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: route}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo.example.com}
)")},
       {"test.yaml", named}});
  ASSERT_TRUE(dns.ok()) << ::testing::PrintToString(toStrings(dns.errors));
  ASSERT_EQ(dns.table->clusters.at(0).endpoints.size(), 2u);
  EXPECT_EQ(dns.table->clusters[0].endpoints[0].address, "echo-v1.internal");
}

TEST(WorkloadEntryTest, ChecksUseIstiosWording) {
  const LoadResult result = load(workload("bad", R"(
  address: not_a_host!
  ports: {Bad_Name: 9001, tcp: 70000}
  weight: -1
  labels: {app: echo}
)") + "---\n" + workload("none", "  labels: {app: echo}\n  network: n1\n"));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:5:12: spec.address: endpoint address \"not_a_host!\" is not a "
                     "valid FQDN or an IP address",
                     "test.yaml:6:11: spec.ports.Bad_Name: invalid port name: Bad_Name (CRD: port "
                     "name must be valid)",
                     "test.yaml:6:32: spec.ports.tcp: port number 70000 must be in the range "
                     "1..65535 (CRD: port must be between 1-65535)",
                     "test.yaml:7:11: spec.weight: weight -1 < 0"}));
  // No address but a network: another network's gateway, valid in Istio, skipped.
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"base.yaml:32:27: spec.tcp[0].route[0].destination.host: ServiceEntry "
                     "default/echo has no endpoints (its workloadSelector selects no "
                     "WorkloadEntry); connections routed there are closed",
                     "test.yaml:14:3: spec: address is unset with network \"n1\"; the entry "
                     "stands for that network's gateway and is skipped",
                     "test.yaml:15:3: spec.network: field \"network\" is not supported by Weir "
                     "yet; ignored"}));
  EXPECT_EQ(toStrings(load(workload("none", "  labels: {app: echo}\n")).errors),
            (Strings{"test.yaml:5:3: spec.address: address is required (CRD: Address is "
                     "required)"}));
}

TEST(WorkloadEntryTest, EndpointsAndAWorkloadSelectorTogetherAreAnError) {
  const std::string both = kSelectingEntry + "  endpoints: [{address: 10.0.0.1}]\n";
  EXPECT_EQ(toStrings(load("", both).errors),
            (Strings{"base.yaml:22:5: spec.workloadSelector: only one of WorkloadSelector or "
                     "Endpoints is allowed in Service Entry (CRD: only one of WorkloadSelector or "
                     "Endpoints can be set)"}));
}

TEST(WorkloadEntryTest, SelectorChecks) {
  std::string wildcard = kSelectingEntry;
  wildcard.replace(wildcard.find("{app: echo}"), 11, "{app: \"ec*\"}");
  EXPECT_EQ(toStrings(load("", wildcard).errors),
            (Strings{"base.yaml:22:19: spec.workloadSelector.labels.app: wildcard is not "
                     "supported in selector: \"app=ec*\""}));

  std::string empty = kSelectingEntry;
  empty.replace(empty.find("    labels: {app: echo}\n"), 24, "    labels: {}\n");
  const LoadResult all = load(workload("any", "  address: 10.0.0.1\n"), empty);
  ASSERT_TRUE(all.ok()) << ::testing::PrintToString(toStrings(all.errors));
  EXPECT_EQ(all.table->clusters.at(0).endpoints.size(), 1u);
  EXPECT_EQ(toStrings(all.warnings),
            (Strings{"base.yaml:22:5: spec.workloadSelector: service entry: workload selector "
                     "specified without labels, will be applied to all services in namespace"}));
}

TEST(WorkloadEntryTest, InlineIpv6EndpointsAreStaticAddresses) {
  const std::string entry = yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  location: MESH_EXTERNAL
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {address: "::1", ports: {tcp: 9001}}
  - {address: "2001:db8::7"}
  - {address: "fe80::1%eth0"}
)");
  const LoadResult result = loadFromText(
      {{"base.yaml", kGatewayYaml + "---\n" + entry + "---\n" + routeToEcho()}});
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"base.yaml:25:15: spec.endpoints[2].address: endpoint address "
                     "\"fe80::1%eth0\" is not a valid IP address"}));

  std::string good = entry;
  good.erase(good.find("  - {address: \"fe80"));
  const LoadResult ok = loadFromText(
      {{"base.yaml", kGatewayYaml + "---\n" + good + "---\n" + routeToEcho()}});
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(toStrings(ok.errors));
  const std::vector<UpstreamEndpoint>& endpoints = ok.table->clusters.at(0).endpoints;
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0].address, "::1");
  EXPECT_EQ(endpoints[0].port, 9001);
  EXPECT_EQ(endpoints[1].address, "2001:db8::7");
  EXPECT_EQ(endpoints[1].port, 9000);
}

}  // namespace
}  // namespace weir::config
