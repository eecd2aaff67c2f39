#include "echo/proxy_header.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace weir::echo {
namespace {

using Status = ProxyHeader::Status;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) {
    out.push_back(static_cast<char>(value));
  }
  return out;
}

const std::string kSignature =
    bytes({0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});

// v2, PROXY, TCP4: 127.0.0.2:40000 -> 127.0.0.1:9000 (the bytes of proxy_protocol_test).
const std::string kV2Tcp4 = kSignature + bytes({0x21, 0x11, 0x00, 0x0C, 127, 0, 0, 2, 127, 0,
                                                0, 1, 0x9C, 0x40, 0x23, 0x28});
// v2, PROXY, TCP6: [2001:db8::1]:1 -> [::1]:65535.
const std::string kV2Tcp6 =
    kSignature + bytes({0x21, 0x21, 0x00, 0x24, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
                        0x01, 0xFF, 0xFF});

TEST(ProxyHeaderV1, Tcp4GivesBothAddressesAndTheHeaderLength) {
  const std::string header = "PROXY TCP4 127.0.0.2 127.0.0.1 40000 9000\r\n";
  ProxyHeader parsed = parseProxyHeader(header + "hello\n");
  ASSERT_EQ(parsed.status, Status::kComplete) << parsed.error;
  EXPECT_EQ(parsed.version, 1);
  EXPECT_EQ(parsed.header_bytes, header.size());
  ASSERT_TRUE(parsed.source && parsed.destination);
  EXPECT_EQ(parsed.source->toString(), "127.0.0.2:40000");
  EXPECT_EQ(parsed.destination->toString(), "127.0.0.1:9000");
}

TEST(ProxyHeaderV1, Tcp6) {
  ProxyHeader parsed = parseProxyHeader("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n");
  ASSERT_EQ(parsed.status, Status::kComplete) << parsed.error;
  EXPECT_EQ(parsed.source->toString(), "[2001:db8::1]:1");
  EXPECT_EQ(parsed.destination->toString(), "[::1]:65535");
}

TEST(ProxyHeaderV1, UnknownHasNoAddressAndIgnoresTheRestOfTheLine) {
  for (const std::string line : {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN ff:: ::1 1 2\r\n"}) {
    ProxyHeader parsed = parseProxyHeader(line + "x");
    ASSERT_EQ(parsed.status, Status::kComplete) << line;
    EXPECT_EQ(parsed.header_bytes, line.size());
    EXPECT_FALSE(parsed.source);
  }
}

TEST(ProxyHeaderV1, EveryPrefixNeedsMoreBytes) {
  const std::string header = "PROXY TCP4 127.0.0.2 127.0.0.1 40000 9000\r\n";
  for (std::size_t size = 0; size < header.size(); ++size) {
    EXPECT_EQ(parseProxyHeader(header.substr(0, size)).status, Status::kNeedMoreBytes) << size;
  }
}

TEST(ProxyHeaderV1, LongestLineIs107Bytes) {
  const std::string longest =
      "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
  ASSERT_EQ(longest.size(), 104u);
  EXPECT_EQ(parseProxyHeader(longest).status, Status::kComplete);
  // UNKNOWN may carry anything up to the limit, and not a byte more.
  std::string unknown = "PROXY UNKNOWN " + std::string(107 - 16, 'x') + "\r\n";
  ASSERT_EQ(unknown.size(), 107u);
  EXPECT_EQ(parseProxyHeader(unknown).status, Status::kComplete);
  std::string too_long = "PROXY UNKNOWN " + std::string(107 - 15, 'x') + "\r\n";
  EXPECT_EQ(parseProxyHeader(too_long).status, Status::kMalformed);
  // Without "\r\n", 107 bytes are enough to give up: no need to wait for more.
  EXPECT_EQ(parseProxyHeader(too_long.substr(0, 107)).status, Status::kMalformed);
  EXPECT_EQ(parseProxyHeader(too_long.substr(0, 106)).status, Status::kNeedMoreBytes);
}

TEST(ProxyHeaderV1, MalformedLines) {
  for (const char* line : {
           "PROXY TCP4 127.0.0.2 127.0.0.1 40000 9000\n",       // no \r
           "PROXY TCP4 127.0.0.2 127.0.0.1 40000\r\n",          // a port missing
           "PROXY TCP4 127.0.0.2 127.0.0.1 40000 9000 1\r\n",   // one field too many
           "PROXY TCP4  127.0.0.2 127.0.0.1 40000 9000\r\n",    // double space
           "PROXY TCP4 127.0.0.2 127.0.0.1 40000 9000 \r\n",    // trailing space
           "PROXY TCP4 ::1 127.0.0.1 40000 9000\r\n",           // IPv6 under TCP4
           "PROXY TCP6 127.0.0.2 ::1 40000 9000\r\n",           // IPv4 under TCP6
           "PROXY TCP6 [::1] ::1 40000 9000\r\n",               // brackets
           "PROXY TCP4 127.0.0.256 127.0.0.1 40000 9000\r\n",   // not an address
           "PROXY TCP4 127.0.0.2 127.0.0.1 65536 9000\r\n",     // port out of range
           "PROXY TCP4 127.0.0.2 127.0.0.1 -1 9000\r\n",        // negative port
           "PROXY TCP4 127.0.0.2 127.0.0.1 040000 9000\r\n",    // leading zero
           "PROXY TCP4 127.0.0.2 127.0.0.1 4e4 9000\r\n",       // not decimal
           "PROXY UDP4 127.0.0.2 127.0.0.1 40000 9000\r\n",     // not TCP
           "PROXY UNKNOWNX\r\n",                                // not UNKNOWN
           "PROXY \r\n",
           "proxy TCP4 127.0.0.2 127.0.0.1 40000 9000\r\n",     // case matters
       }) {
    ProxyHeader parsed = parseProxyHeader(line);
    EXPECT_EQ(parsed.status, Status::kMalformed) << line;
    EXPECT_FALSE(parsed.error.empty()) << line;
  }
}

TEST(ProxyHeader, MissingHeaderIsMalformedFromTheFirstWrongByte) {
  EXPECT_EQ(parseProxyHeader("hello\n").status, Status::kMalformed);
  EXPECT_EQ(parseProxyHeader("h").status, Status::kMalformed);
  EXPECT_EQ(parseProxyHeader("PROXX").status, Status::kMalformed);
  EXPECT_EQ(parseProxyHeader(std::string("\r\n\r\n\0\r\nQUIX", 12)).status, Status::kMalformed);
  EXPECT_EQ(parseProxyHeader("").status, Status::kNeedMoreBytes);
  EXPECT_EQ(parseProxyHeader("\r").status, Status::kNeedMoreBytes);
  EXPECT_EQ(parseProxyHeader("PRO").status, Status::kNeedMoreBytes);
}

TEST(ProxyHeaderV2, Tcp4) {
  ProxyHeader parsed = parseProxyHeader(kV2Tcp4 + "hello\n");
  ASSERT_EQ(parsed.status, Status::kComplete) << parsed.error;
  EXPECT_EQ(parsed.version, 2);
  EXPECT_EQ(parsed.header_bytes, 28u);
  EXPECT_EQ(parsed.source->toString(), "127.0.0.2:40000");
  EXPECT_EQ(parsed.destination->toString(), "127.0.0.1:9000");
}

TEST(ProxyHeaderV2, Tcp6) {
  ProxyHeader parsed = parseProxyHeader(kV2Tcp6);
  ASSERT_EQ(parsed.status, Status::kComplete) << parsed.error;
  EXPECT_EQ(parsed.header_bytes, 52u);
  EXPECT_EQ(parsed.source->toString(), "[2001:db8::1]:1");
  EXPECT_EQ(parsed.destination->toString(), "[::1]:65535");
}

TEST(ProxyHeaderV2, EveryPrefixNeedsMoreBytes) {
  for (const std::string& header : {kV2Tcp4, kV2Tcp6}) {
    for (std::size_t size = 0; size < header.size(); ++size) {
      EXPECT_EQ(parseProxyHeader(header.substr(0, size)).status, Status::kNeedMoreBytes) << size;
    }
  }
}

TEST(ProxyHeaderV2, TlvsAfterTheAddressesAreSkipped) {
  std::string header = kV2Tcp4;
  header[15] = 12 + 7;                                  // addresses + one TLV
  header += bytes({0x04, 0x00, 0x04, 'n', 'o', 'o', 'p'});  // PP2_TYPE_NOOP
  ProxyHeader parsed = parseProxyHeader(header + "after");
  ASSERT_EQ(parsed.status, Status::kComplete) << parsed.error;
  EXPECT_EQ(parsed.header_bytes, 35u);
  EXPECT_EQ(parsed.source->toString(), "127.0.0.2:40000");
}

TEST(ProxyHeaderV2, LengthIsBigEndianAndWaitedFor) {
  // 0x0100 = 256 bytes after the fixed part: a little-endian reading would say 1.
  std::string header = kSignature + bytes({0x20, 0x00, 0x01, 0x00});
  EXPECT_EQ(parseProxyHeader(header + std::string(255, 'x')).status, Status::kNeedMoreBytes);
  ProxyHeader parsed = parseProxyHeader(header + std::string(256, 'x'));
  EXPECT_EQ(parsed.status, Status::kComplete);
  EXPECT_EQ(parsed.header_bytes, 16u + 256u);
}

TEST(ProxyHeaderV2, LocalAndAddresslessFamiliesHaveNoAddress) {
  std::string local = kV2Tcp4;
  local[12] = 0x20;  // LOCAL: a health check from the proxy itself
  std::string unspec = kSignature + bytes({0x21, 0x00, 0x00, 0x00});
  std::string unix_stream = kSignature + bytes({0x21, 0x31, 0x00, 0xD8}) + std::string(216, '\0');
  for (const std::string& header : {local, unspec, unix_stream}) {
    ProxyHeader parsed = parseProxyHeader(header);
    ASSERT_EQ(parsed.status, Status::kComplete) << parsed.error;
    EXPECT_EQ(parsed.header_bytes, header.size());
    EXPECT_FALSE(parsed.source);
  }
}

TEST(ProxyHeaderV2, MalformedHeaders) {
  std::string version1 = kV2Tcp4;
  version1[12] = 0x11;
  std::string command2 = kV2Tcp4;
  command2[12] = 0x22;
  std::string short_tcp4 = kSignature + bytes({0x21, 0x11, 0x00, 0x0B}) + std::string(11, '\0');
  std::string short_tcp6 = kSignature + bytes({0x21, 0x21, 0x00, 0x23}) + std::string(35, '\0');
  for (const std::string& header : {version1, command2, short_tcp4, short_tcp6}) {
    ProxyHeader parsed = parseProxyHeader(header);
    EXPECT_EQ(parsed.status, Status::kMalformed);
    EXPECT_FALSE(parsed.error.empty());
    // Judged from the fixed 16 bytes: no waiting for the rest.
    EXPECT_EQ(parseProxyHeader(header.substr(0, 16)).status, Status::kMalformed);
  }
}

TEST(ProxyHeaderV2, LargestLengthIsBounded) {
  std::string header = kSignature + bytes({0x21, 0x11, 0xFF, 0xFF});
  std::string all = header + std::string(65535, '\0');
  EXPECT_EQ(parseProxyHeader(all.substr(0, all.size() - 1)).status, Status::kNeedMoreBytes);
  ProxyHeader parsed = parseProxyHeader(all + "rest");
  EXPECT_EQ(parsed.status, Status::kComplete);
  EXPECT_EQ(parsed.header_bytes, kMaxProxyHeaderBytes);
}

}  // namespace
}  // namespace weir::echo
