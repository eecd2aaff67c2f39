// Loading as a whole: files, directories, documents, kinds, apiVersions, and the
// envelope (apiVersion, kind, metadata) of every object.
#include <gtest/gtest.h>

#include <string>

#include "config/loader.h"
#include "config_test_support.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::config {
namespace {

using fixture::kBaseYaml;
using fixture::kDestinationRuleYaml;
using fixture::kVirtualServiceYaml;
using fixture::loadOne;
using fixture::loadWithBase;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

const std::string kDataDir = weir::test::kTestDataDir;

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(LoaderTest, AcceptsEveryIstioNetworkingApiVersion) {
  for (const std::string version : {"v1", "v1beta1", "v1alpha3"}) {
    const std::string base =
        replaceAll(kBaseYaml, "networking.istio.io/v1\n", "networking.istio.io/" + version + "\n");
    const std::string vs = replaceAll(kVirtualServiceYaml, "networking.istio.io/v1\n",
                                      "networking.istio.io/" + version + "\n");
    const LoadResult result = loadFromText({{"base.yaml", base}, {"test.yaml", vs}});
    EXPECT_TRUE(result.ok()) << version << ": "
                             << ::testing::PrintToString(toStrings(result.errors));
  }
}

TEST(LoaderTest, RejectsOtherApiVersionsForIstioKinds) {
  const LoadResult result = loadWithBase(
      replaceAll(kVirtualServiceYaml, "networking.istio.io/v1\n", "networking.istio.io/v2\n"));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(toStrings(result.errors), (Strings{"test.yaml:1:13: apiVersion: apiVersion \"networking.istio.io/v2\" is "
                          "not supported for kind VirtualService (expected "
                          "networking.istio.io/v1, v1beta1 or v1alpha3)"}));
}

TEST(LoaderTest, SkipsOtherKindsWithAWarningNamingFileAndLine) {
  const LoadResult result = loadWithBase(kVirtualServiceYaml + yaml(R"(
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  ports:
  - port: 80
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
)"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings), (Strings{"test.yaml:22:7: kind: kind \"Service\" is not used by Weir; skipped",
                          "test.yaml:30:7: kind: kind \"Sidecar\" is not used by Weir; skipped"}));
}

TEST(LoaderTest, LoadsADirectoryInNameOrderYamlAndYmlOnlyNotRecursively) {
  const std::string dir = kDataDir + "/split-config";
  const LoadResult result = load({dir});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->source_files,
            (std::vector<std::string>{dir + "/10-gateway.yaml", dir + "/20-routes.yml",
                                      dir + "/30-services.yaml"}));
  EXPECT_EQ(toStrings(result.warnings), (Strings{dir + "/30-services.yaml:2:7: kind: kind \"Service\" is not used by "
                                "Weir; skipped"}));
  const RouteTable& table = *result.table;
  ASSERT_EQ(table.listeners.size(), 1u);
  EXPECT_EQ(table.listeners[0].gateway, "shop/split-gateway");
  EXPECT_EQ(table.listeners[0].port, 9400);
  ASSERT_EQ(table.clusters.size(), 1u);
  EXPECT_EQ(table.clusters[0].name, "outbound|9400||orders.shop.svc.cluster.local");
  EXPECT_EQ(table.clusters[0].resolution, EndpointResolution::kDns);
  ASSERT_EQ(table.clusters[0].endpoints.size(), 1u);
  EXPECT_EQ(table.clusters[0].endpoints[0].address, "orders-v1");
  EXPECT_EQ(table.clusters[0].endpoints[0].port, 8080);
}

TEST(LoaderTest, LoadsAMultiDocumentFileSkippingEmptyDocuments) {
  const std::string file = kDataDir + "/all-in-one.yaml";
  const LoadResult result = load({file});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings), (Strings{file + ":19:7: kind: kind \"Deployment\" is not used by Weir; skipped"}));
  const RouteTable& table = *result.table;
  ASSERT_EQ(table.listeners.size(), 1u);
  EXPECT_EQ(table.listeners[0].port, 9500);
  ASSERT_EQ(table.listeners[0].candidate_routes.size(), 1u);
  ASSERT_EQ(table.clusters.size(), 1u);
  EXPECT_EQ(table.clusters[0].name, "outbound|9500|v1|one-echo.default.svc.cluster.local");
  EXPECT_EQ(table.clusters[0].endpoints.at(0).port, 9501);
}

TEST(LoaderTest, ReportsAFileThatCannotBeRead) {
  const std::string missing = kDataDir + "/no-such-file.yaml";
  const LoadResult result = load({missing});
  EXPECT_FALSE(result.ok());
  // Only this: the Gateway may well be in the file that could not be read.
  EXPECT_EQ(toStrings(result.errors),
            (Strings{missing + ":1:1: (config): cannot read file: No such file or directory"}));
}

TEST(LoaderTest, ASyntaxErrorIsNotAlsoReportedAsNothingToServe) {
  EXPECT_EQ(toStrings(loadOne("kind: [\n").errors),
            (Strings{"test.yaml:2:1: (yaml): end of sequence flow not found"}));
}

TEST(LoaderTest, NeedsAtLeastOnePath) {
  EXPECT_EQ(toStrings(load({}).errors), (Strings{":1:1: (config): no configuration files given"}));
}

TEST(LoaderTest, ReportsADirectoryWithoutYamlFiles) {
  weir::test::TempDir dir;
  weir::test::writeTextFile(dir.path() / "notes.txt", "hello\n");
  const LoadResult result = load({dir.path().string()});
  EXPECT_FALSE(result.ok());
  ASSERT_FALSE(result.errors.empty());
  EXPECT_EQ(result.errors[0].toString(),
            dir.path().string() + ":1:1: (config): no *.yaml or *.yml files in this directory");
}

// Objects without a Gateway are valid Istio: they load, and Weir says it has
// nothing to serve. A VirtualService on a gateway that is not there is Istio's
// dangling reference: a warning (an error with strict_references).
TEST(LoaderTest, NoGatewayMeansNothingToServe) {
  const LoadResult result = loadFromText({{"only-vs.yaml", kVirtualServiceYaml}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const std::string missing =
      "only-vs.yaml:9:5: spec.gateways[0]: gateway \"default/gw\" not found (there is no "
      "Gateway), so VirtualService default/echo is bound to no server through it";
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"only-vs.yaml:1:1: (config): no Gateway in the configuration: Weir has "
                     "nothing to serve",
                     missing}));
  EXPECT_EQ(toStrings(loadFromText({{"only-vs.yaml", kVirtualServiceYaml}},
                                   LoadOptions{.strict_references = true})
                          .errors),
            Strings{missing});

  const LoadResult rules = loadFromText({{"rules.yaml", kDestinationRuleYaml}});
  ASSERT_TRUE(rules.ok()) << ::testing::PrintToString(toStrings(rules.errors));
  EXPECT_EQ(toStrings(rules.warnings),
            (Strings{"rules.yaml:1:1: (config): no Gateway in the configuration: Weir has "
                     "nothing to serve"}));
}

TEST(LoaderTest, EmptyInputMeansNothingToServe) {
  const LoadResult result = loadOne("# nothing here\n");
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:1:1: (config): no Gateway in the configuration: Weir has "
                     "nothing to serve"}));
}

// A misspelt kind of an Istio API group is an error with the nearest kind; Istio
// kinds Weir does not use, and kinds of other APIs, are skipped with a warning.
TEST(LoaderTest, KindsOfIstioGroupsAreChecked) {
  const LoadResult result = loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualSevice
metadata: {name: a}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorisationPolicy
metadata: {name: b}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: c}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: d}
---
apiVersion: networking.istio.io/v1
kind: Frobnicator
metadata: {name: e}
)"));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:2:7: kind: unknown kind \"VirtualSevice\" for apiVersion "
                     "networking.istio.io/v1; did you mean \"VirtualService\"?",
                     "test.yaml:7:7: kind: unknown kind \"AuthorisationPolicy\" for apiVersion "
                     "security.istio.io/v1; did you mean \"AuthorizationPolicy\"?",
                     "test.yaml:19:7: kind: unknown kind \"Frobnicator\" for apiVersion "
                     "networking.istio.io/v1"}));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"base.yaml:8:15: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:11:7: kind: kind \"EnvoyFilter\" is not used by Weir; skipped",
                     "test.yaml:15:7: kind: kind \"Gateway\" of apiVersion "
                     "gateway.networking.k8s.io/v1 is not used by Weir; skipped"}));
}

TEST(LoaderTest, ReportsYamlSyntaxErrorsWithTheParsersPosition) {
  const LoadResult result = loadWithBase(kVirtualServiceYaml + "---\nkind: VirtualService\n  bad: 1\n");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(toStrings(result.errors), (Strings{"test.yaml:22:6: (yaml): illegal map value"}));
}

TEST(LoaderTest, ReportsAllErrorsOfAllFilesInFileOrder) {
  const std::string bad_vs = replaceAll(kVirtualServiceYaml, "weight: 20", "weight: -5");
  const std::string more = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: other
spec:
  host: other
  subsets:
  - name: v_1
)");
  const LoadResult result = loadFromText({{"base.yaml", kBaseYaml},
                                          {"b.yaml", more},
                                          {"a.yaml", bad_vs + "  - weigth: 1\n"}});
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(toStrings(result.errors), (Strings{"b.yaml:8:11: spec.subsets[0].name: subset name is invalid: v_1",
                          "a.yaml:19:15: spec.tcp[0].route[1].weight: weight -5 < 0",
                          "a.yaml:20:5: spec.tcp[1].weigth: unknown field \"weigth\"",
                          "a.yaml:20:5: spec.tcp[1].route: TCP route is required"}));
}

TEST(LoaderTest, RequiresMetadataName) {
  const std::string text = replaceAll(kVirtualServiceYaml, "  name: echo\n", "  labels: {}\n");
  EXPECT_EQ(toStrings(loadWithBase(text).errors), (Strings{"test.yaml:4:3: metadata.name: missing required field \"name\""}));
}

TEST(LoaderTest, RequiresMetadataAndSpec) {
  const LoadResult result = loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: x
)"));
  EXPECT_EQ(toStrings(result.errors), (Strings{"test.yaml:1:1: metadata: missing required field \"metadata\"",
                          "test.yaml:1:1: spec: missing required field \"spec\"",
                          "test.yaml:4:1: spec: missing required field \"spec\""}));
}

TEST(LoaderTest, RequiresKindAndApiVersion) {
  const LoadResult result = loadWithBase(yaml(R"(
metadata:
  name: x
---
kind: VirtualService
metadata:
  name: y
)"));
  EXPECT_EQ(toStrings(result.errors), (Strings{"test.yaml:1:1: kind: missing required field \"kind\"",
                          "test.yaml:4:1: apiVersion: missing required field \"apiVersion\""}));
}

TEST(LoaderTest, ADocumentMustBeAMap) {
  EXPECT_EQ(toStrings(loadWithBase("- a\n- b\n").errors), (Strings{"test.yaml:1:1: (document): expected a Kubernetes object (a map), got "
                          "a list"}));
}

TEST(LoaderTest, AcceptsKubernetesMetadataAndStatusSilently) {
  const std::string text = replaceAll(kVirtualServiceYaml, "  name: echo\n", yaml(R"(
  name: echo
  namespace: default
  labels:
    app: echo
  annotations:
    note: "hello"
  resourceVersion: "42"
  generation: 3
)")) + "status: {}\n";
  const LoadResult result = loadWithBase(text);
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
}

TEST(LoaderTest, RejectsUnknownEnvelopeFields) {
  const std::string text =
      replaceAll(kVirtualServiceYaml, "  name: echo\n", "  name: echo\n  nmespace: prod\n") +
      "extra: 1\n";
  EXPECT_EQ(toStrings(loadWithBase(text).errors),
            (Strings{"test.yaml:5:3: metadata.nmespace: unknown field \"nmespace\"; did you mean "
                     "\"namespace\"?",
                     "test.yaml:21:1: extra: unknown field \"extra\""}));
}

TEST(LoaderTest, RejectsAnInvalidNamespace) {
  const std::string text =
      replaceAll(kVirtualServiceYaml, "  name: echo\n", "  name: echo\n  namespace: Prod\n");
  EXPECT_EQ(toStrings(loadWithBase(text).errors), (Strings{"test.yaml:5:14: metadata.namespace: invalid namespace \"Prod\": must "
                          "be a DNS-1123 label"}));
}

TEST(LoaderTest, RejectsDuplicateFields) {
  const std::string text = replaceAll(kVirtualServiceYaml, "      weight: 20\n",
                                      "      weight: 20\n      weight: 30\n");
  EXPECT_EQ(toStrings(loadWithBase(text).errors), (Strings{"test.yaml:20:7: spec.tcp[0].route[1].weight: duplicate field \"weight\""}));
}

TEST(LoaderTest, RejectsTheSameObjectTwice) {
  const LoadResult result = loadWithBase(kVirtualServiceYaml + "---\n" + kVirtualServiceYaml);
  EXPECT_EQ(toStrings(result.errors), (Strings{"test.yaml:24:9: metadata.name: duplicate VirtualService "
                          "\"default/echo\" (first defined at test.yaml:4:9)"}));
}

TEST(LoaderTest, SameNameInAnotherNamespaceIsAnotherObject) {
  const std::string other = replaceAll(kVirtualServiceYaml, "  name: echo\n",
                                       "  name: echo\n  namespace: other\n");
  const std::string text =
      replaceAll(replaceAll(other, "  - gw\n", "  - default/gw\n"), "host: echo\n",
                 "host: echo.default\n");
  const LoadResult result = loadWithBase(kVirtualServiceYaml + "---\n" + text);
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
}

TEST(LoaderTest, AnchorsAndAliasesWork) {
  const std::string text = yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: &v1
        host: echo
        subset: v1
  - route:
    - destination: *v1
)");
  const LoadResult result = loadWithBase(text);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->clusters.size(), 1u);
}

}  // namespace
}  // namespace weir::config
