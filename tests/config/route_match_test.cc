#include "config/route_match.h"

#include "config/ip_prefix.h"

#include <gtest/gtest.h>

namespace weir::config {
namespace {

L4Match matchOn(uint16_t port, std::vector<std::string> gateways) {
  L4Match match;
  match.port = port;
  match.gateways = std::move(gateways);
  return match;
}


TcpRoute routeNamed(std::string name, std::vector<L4Match> matches) {
  TcpRoute route;
  route.name = std::move(name);
  route.matches = std::move(matches);
  return route;
}

class FindRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_.gateway = "default/gw";
    listener_.port = 9000;
  }
  const TcpRoute* find(uint16_t port, std::string_view gateway = "default/gw") {
    return findRoute(table_, listener_, ConnectionFacts{port, gateway});
  }

  RouteTable table_;
  Listener listener_;
};

TEST_F(FindRouteTest, NoCandidatesFindsNothing) {
  table_.routes.push_back(routeNamed("r0", {}));
  EXPECT_EQ(find(9000), nullptr);
}

TEST_F(FindRouteTest, RuleWithoutMatchesTakesEverything) {
  table_.routes.push_back(routeNamed("r0", {}));
  listener_.candidate_routes = {0};
  ASSERT_NE(find(9000), nullptr);
  EXPECT_EQ(find(9000)->name, "r0");
}

TEST_F(FindRouteTest, FirstAcceptingCandidateWins) {
  table_.routes.push_back(routeNamed("other-port", {matchOn(9100, {})}));
  table_.routes.push_back(routeNamed("this-port", {matchOn(9000, {})}));
  table_.routes.push_back(routeNamed("catch-all", {}));
  listener_.candidate_routes = {0, 1, 2};
  EXPECT_EQ(find(9000)->name, "this-port");
  EXPECT_EQ(find(9100)->name, "other-port");
  EXPECT_EQ(find(9200)->name, "catch-all");
}

TEST_F(FindRouteTest, FollowsCandidateOrderNotTableOrder) {
  table_.routes.push_back(routeNamed("a", {}));
  table_.routes.push_back(routeNamed("b", {}));
  listener_.candidate_routes = {1, 0};
  EXPECT_EQ(find(9000)->name, "b");
}

TEST_F(FindRouteTest, MatchBlocksAreOredAndFieldsAnded) {
  table_.routes.push_back(routeNamed(
      "r0", {matchOn(9000, {"default/other"}), matchOn(9001, {"default/gw"})}));
  listener_.candidate_routes = {0};
  EXPECT_EQ(find(9000), nullptr);          // port matches block 0, gateway does not
  EXPECT_NE(find(9001), nullptr);          // block 1
  EXPECT_NE(find(9000, "default/other"), nullptr);
  EXPECT_EQ(find(9001, "default/other"), nullptr);
}

TEST_F(FindRouteTest, AbsentFieldsMatchAnything) {
  table_.routes.push_back(routeNamed("r0", {matchOn(0, {"default/gw"})}));
  table_.routes.push_back(routeNamed("r1", {matchOn(0, {})}));
  listener_.candidate_routes = {0, 1};
  EXPECT_EQ(find(1234)->name, "r0");
  EXPECT_EQ(find(1234, "default/x")->name, "r1");
}

TEST_F(FindRouteTest, NothingAcceptsGivesNull) {
  table_.routes.push_back(routeNamed("r0", {matchOn(9100, {})}));
  listener_.candidate_routes = {0};
  EXPECT_EQ(find(9000), nullptr);
}

TEST_F(FindRouteTest, IgnoresIndicesOutsideTheTable) {
  table_.routes.push_back(routeNamed("r0", {}));
  listener_.candidate_routes = {7, 0};
  EXPECT_EQ(find(9000)->name, "r0");
}

}  // namespace
}  // namespace weir::config

namespace weir::config {
namespace {

IpPrefix cidr(std::string_view text) { return std::get<IpPrefix>(parseIpPrefix(text)); }
IpAddress address(std::string_view text) { return parseIpAddress(text).value(); }

class MatchFactsTest : public ::testing::Test {
 protected:
  ConnectionFacts facts(std::string_view source, std::string_view destination,
                        std::string_view sni = "", uint16_t port = 9000,
                        std::string_view gateway = "default/gw") {
    ConnectionFacts result{port, gateway};
    if (!source.empty()) result.source = address(source);
    if (!destination.empty()) result.destination = address(destination);
    result.sni = sni;
    return result;
  }
};

TEST_F(MatchFactsTest, DestinationSubnetsNeedAKnownDestinationInsideOne) {
  L4Match match;
  match.destination_subnets = {cidr("10.0.0.0/8"), cidr("2001:db8::/32")};
  EXPECT_TRUE(matchAccepts(match, facts("1.1.1.1", "10.2.3.4")));
  EXPECT_TRUE(matchAccepts(match, facts("1.1.1.1", "2001:db8::7")));
  EXPECT_FALSE(matchAccepts(match, facts("1.1.1.1", "11.0.0.1")));
  EXPECT_FALSE(matchAccepts(match, facts("10.0.0.1", "")));  // destination unknown
}

TEST_F(MatchFactsTest, SourceSubnetNeedsAKnownSourceInsideIt) {
  L4Match match;
  match.source_subnet = cidr("192.168.0.0/16");
  EXPECT_TRUE(matchAccepts(match, facts("192.168.4.5", "")));
  EXPECT_FALSE(matchAccepts(match, facts("192.169.0.1", "")));
  EXPECT_FALSE(matchAccepts(match, facts("", "192.168.4.5")));  // source unknown
  EXPECT_FALSE(matchAccepts(match, facts("::ffff:192.168.4.5", "")));  // other family
}

TEST_F(MatchFactsTest, SubnetsPortAndGatewaysAreAnded) {
  L4Match match;
  match.port = 9000;
  match.gateways = {"default/gw"};
  match.destination_subnets = {cidr("10.0.0.0/8")};
  match.source_subnet = cidr("127.0.0.0/8");
  EXPECT_TRUE(matchAccepts(match, facts("127.0.0.1", "10.0.0.1")));
  EXPECT_FALSE(matchAccepts(match, facts("127.0.0.1", "10.0.0.1", "", 9001)));
  EXPECT_FALSE(matchAccepts(match, facts("127.0.0.1", "10.0.0.1", "", 9000, "default/other")));
  EXPECT_FALSE(matchAccepts(match, facts("128.0.0.1", "10.0.0.1")));
  EXPECT_FALSE(matchAccepts(match, facts("127.0.0.1", "11.0.0.1")));
}

TEST_F(MatchFactsTest, SniExactNamesIgnoreCase) {
  L4Match match;
  match.sni_hosts = {"login.example.com"};
  EXPECT_TRUE(matchAccepts(match, facts("", "", "login.example.com")));
  EXPECT_TRUE(matchAccepts(match, facts("", "", "Login.Example.COM")));
  EXPECT_FALSE(matchAccepts(match, facts("", "", "www.example.com")));
  EXPECT_FALSE(matchAccepts(match, facts("", "", "")));  // no SNI
}

TEST(SniMatchesTest, WildcardsFollowEnvoyServerNames) {
  EXPECT_TRUE(sniMatches("*.example.com", "a.example.com"));
  EXPECT_TRUE(sniMatches("*.example.com", "a.b.example.com"));
  EXPECT_TRUE(sniMatches("*.example.com", "A.EXAMPLE.com"));
  EXPECT_FALSE(sniMatches("*.example.com", "example.com"));
  EXPECT_FALSE(sniMatches("*.example.com", ".example.com"));
  EXPECT_FALSE(sniMatches("*.example.com", "aexample.com"));
  EXPECT_FALSE(sniMatches("*.example.com", "a.example.org"));
  EXPECT_TRUE(sniMatches("*", "anything.at.all"));
  EXPECT_FALSE(sniMatches("*", ""));
  EXPECT_FALSE(sniMatches("*.example.com", ""));
}

TEST_F(MatchFactsTest, ATcpBlockWithoutSniAcceptsAnySni) {
  L4Match match;
  match.port = 9000;
  EXPECT_TRUE(matchAccepts(match, facts("", "", "x.example.com")));
  EXPECT_TRUE(matchAccepts(match, facts("", "", "")));
}

TEST_F(MatchFactsTest, FindRouteTakesTheFirstRuleWhoseBlockAccepts) {
  RouteTable table;
  L4Match internal;
  internal.source_subnet = cidr("10.0.0.0/8");
  L4Match login;
  login.sni_hosts = {"login.example.com"};
  L4Match wildcard;
  wildcard.sni_hosts = {"*.example.com"};
  table.routes.push_back(routeNamed("internal", {internal}));
  table.routes.push_back(routeNamed("login", {login}));
  table.routes.push_back(routeNamed("wildcard", {wildcard}));
  Listener listener;
  listener.port = 9000;
  listener.gateway = "default/gw";
  listener.candidate_routes = {0, 1, 2};

  EXPECT_EQ(findRoute(table, listener, facts("10.1.1.1", "", "login.example.com"))->name,
            "internal");
  EXPECT_EQ(findRoute(table, listener, facts("11.1.1.1", "", "login.example.com"))->name,
            "login");
  EXPECT_EQ(findRoute(table, listener, facts("11.1.1.1", "", "www.example.com"))->name,
            "wildcard");
  EXPECT_EQ(findRoute(table, listener, facts("11.1.1.1", "", "www.example.org")), nullptr);
  EXPECT_EQ(findRoute(table, listener, facts("", "", "")), nullptr);
}

// sourceLabels / sourceNamespace, as Istio's matchTCP/matchTLS: every label of the
// block must be one of the proxy's own (weir --labels), the namespace its own.
TEST_F(MatchFactsTest, SourceLabelsMustBeASubsetOfWeirsOwnLabels) {
  L4Match match;
  match.source_labels = {{"app", "edge"}, {"zone", "a"}};
  WorkloadIdentity self{{{"app", "edge"}, {"zone", "a"}, {"extra", "x"}}, ""};
  ConnectionFacts with_labels = facts("", "");
  with_labels.self = &self;
  EXPECT_TRUE(matchAccepts(match, with_labels));

  WorkloadIdentity other_zone{{{"app", "edge"}, {"zone", "b"}}, ""};
  with_labels.self = &other_zone;
  EXPECT_FALSE(matchAccepts(match, with_labels));
  WorkloadIdentity missing_one{{{"app", "edge"}}, ""};
  with_labels.self = &missing_one;
  EXPECT_FALSE(matchAccepts(match, with_labels));
  // No identity at all: a block that names labels never matches (never widened).
  EXPECT_FALSE(matchAccepts(match, facts("", "")));
  // A block without sourceLabels does not care.
  EXPECT_TRUE(matchAccepts(L4Match{}, facts("", "")));
}

TEST_F(MatchFactsTest, SourceNamespaceMustBeWeirsOwn) {
  L4Match match;
  match.source_namespace = "istio-system";
  WorkloadIdentity self{{}, "istio-system"};
  ConnectionFacts with_namespace = facts("", "");
  with_namespace.self = &self;
  EXPECT_TRUE(matchAccepts(match, with_namespace));
  WorkloadIdentity elsewhere{{}, "default"};
  with_namespace.self = &elsewhere;
  EXPECT_FALSE(matchAccepts(match, with_namespace));
  WorkloadIdentity unknown{{{"app", "edge"}}, ""};
  with_namespace.self = &unknown;
  EXPECT_FALSE(matchAccepts(match, with_namespace));
  EXPECT_FALSE(matchAccepts(match, facts("", "")));
}

TEST_F(MatchFactsTest, SourceLabelsAreAndedWithTheOtherFields) {
  L4Match match;
  match.port = 9000;
  match.source_labels = {{"app", "edge"}};
  WorkloadIdentity self{{{"app", "edge"}}, ""};
  ConnectionFacts on_9000 = facts("", "");
  on_9000.self = &self;
  EXPECT_TRUE(matchAccepts(match, on_9000));
  ConnectionFacts on_9001 = facts("", "", "", 9001);
  on_9001.self = &self;
  EXPECT_FALSE(matchAccepts(match, on_9001));
}

// Two TLS servers on one port and bind share a socket (as Istio merges them); the
// server whose hosts name the SNI best is tried first.
class MergedServersTest : public MatchFactsTest {
 protected:
  void SetUp() override {
    L4Match any_sni;
    any_sni.sni_hosts = {"*"};
    L4Match pay;
    pay.sni_hosts = {"pay.example.com"};
    L4Match only_b;
    only_b.sni_hosts = {"*"};
    only_b.gateways = {"default/b"};
    table_.routes.push_back(routeNamed("a-catch-all", {any_sni}));  // 0
    table_.routes.push_back(routeNamed("b-pay", {pay}));            // 1
    table_.routes.push_back(routeNamed("b-only", {only_b}));        // 2
    Listener a;
    a.gateway = "default/a";
    a.port = 443;
    a.tls_passthrough = true;
    a.hosts = {"*.example.com"};
    a.candidate_routes = {0};
    Listener b = a;
    b.gateway = "default/b";
    b.hosts = {"pay.example.com", "*.pay.example.com"};
    b.candidate_routes = {1, 2};
    table_.listeners = {a, b};
  }
  std::string routeFor(std::string_view sni, size_t* served_by = nullptr) {
    const std::vector<size_t> both = {0, 1};
    const TcpRoute* route = findRoute(table_, both, facts("", "", sni, 443), served_by);
    return route == nullptr ? "none" : route->name;
  }
  RouteTable table_;
};

TEST_F(MergedServersTest, TheServerNamingTheSniExactlyGoesFirst) {
  size_t served_by = 99;
  EXPECT_EQ(routeFor("pay.example.com", &served_by), "b-pay");
  EXPECT_EQ(served_by, 1u);
}

TEST_F(MergedServersTest, ALongerWildcardBeatsAShorterOne) {
  // *.pay.example.com (b) is more specific than *.example.com (a); b-pay does not
  // match the name, b-only does, and only through gateway b's own name.
  size_t served_by = 99;
  EXPECT_EQ(routeFor("x.pay.example.com", &served_by), "b-only");
  EXPECT_EQ(served_by, 1u);
}

TEST_F(MergedServersTest, OtherNamesGoToTheServerThatNamesThem) {
  size_t served_by = 99;
  EXPECT_EQ(routeFor("www.example.com", &served_by), "a-catch-all");
  EXPECT_EQ(served_by, 0u);
}

// A plain TCP server after TLS ones on their socket is Envoy's filter chain
// without server_names: it gets only what no TLS server's rule takes, however
// well its hosts name the SNI and wherever it is listed.
TEST_F(MergedServersTest, APlainServerOnTheSocketGoesLast) {
  table_.routes.push_back(routeNamed("c-plain", {}));  // 3
  Listener c;
  c.gateway = "default/c";
  c.port = 443;
  c.hosts = {"pay.example.com"};
  c.candidate_routes = {3};
  table_.listeners.push_back(c);
  const std::vector<size_t> all = {2, 0, 1};
  auto routeOf = [&](std::string_view sni) {
    const TcpRoute* route = findRoute(table_, all, facts("", "", sni, 443));
    return route == nullptr ? std::string("none") : route->name;
  };
  EXPECT_EQ(routeOf("pay.example.com"), "b-pay");
  EXPECT_EQ(routeOf("www.example.org"), "a-catch-all");  // sniHosts "*"
  EXPECT_EQ(routeOf(""), "c-plain");                     // no SNI: no TLS rule matches
}

TEST_F(MergedServersTest, ANameNoServerNamesTriesTheServersInOrder) {
  // Neither server's hosts name it; a's rule (sniHosts "*") takes it, as the
  // Envoy filter chain with server name "*" would.
  EXPECT_EQ(routeFor("other.org"), "a-catch-all");
  // Without a's catch-all, b's rule for gateway b serves it (its own gateway).
  table_.listeners[0].candidate_routes.clear();
  EXPECT_EQ(routeFor("other.org"), "b-only");
}

TEST_F(MergedServersTest, ASingleListenerIsTheUsualSearch) {
  const std::vector<size_t> only_b = {1};
  const TcpRoute* route = findRoute(table_, only_b, facts("", "", "www.example.com", 443));
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->name, "b-only");
}

}  // namespace
}  // namespace weir::config
