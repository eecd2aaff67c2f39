#include "proxy/listener/tls_client_hello.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/test_paths.h"

namespace weir::proxy {
namespace {

using Outcome = ClientHelloInspection::Outcome;

// ClientHellos of `openssl s_client` (OpenSSL 3.0), captured once on 127.0.0.1 with
// tests/fuzz/capture_client_hello.py; they double as the fuzzer's seed corpus.
std::string capturedHello(const std::string& name) {
  auto path =
      std::filesystem::path(test::kSourceDir) / "tests/fuzz/corpus/tls_client_hello" / name;
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(bytes.empty()) << "cannot read " << path;
  return bytes;
}

struct Capture {
  const char* file;
  Outcome outcome;
  const char* server_name;
};

const Capture kCaptures[] = {
    {"tls13_sni_a.example.com.bin", Outcome::kSni, "a.example.com"},
    {"tls12_sni_a.example.com.bin", Outcome::kSni, "a.example.com"},
    {"tls13_no_sni.bin", Outcome::kNoSni, ""},
    {"tls12_no_sni.bin", Outcome::kNoSni, ""},
    {"default_sni_Mixed.Example.COM.bin", Outcome::kSni, "mixed.example.com"},
};

std::string u16(std::size_t value) {
  return {static_cast<char>((value >> 8) & 0xff), static_cast<char>(value & 0xff)};
}
std::string u24(std::size_t value) {
  return static_cast<char>((value >> 16) & 0xff) + u16(value);
}

// A handshake message as records of at most `fragment` payload bytes each.
std::string inRecords(const std::string& handshake, std::size_t fragment,
                      char minor_version = 0x01) {
  std::string records;
  for (std::size_t at = 0; at < handshake.size(); at += fragment) {
    std::string part = handshake.substr(at, fragment);
    records += std::string{0x16, 0x03, minor_version} + u16(part.size()) + part;
  }
  return records;
}

std::string extension(uint16_t type, const std::string& data) {
  return u16(type) + u16(data.size()) + data;
}

std::string serverNameExtension(const std::vector<std::pair<uint8_t, std::string>>& names) {
  std::string list;
  for (const auto& [type, name] : names) {
    list += static_cast<char>(type) + u16(name.size()) + name;
  }
  return extension(0, u16(list.size()) + list);
}

std::string sni(const std::string& name) { return serverNameExtension({{0, name}}); }

// A TLS 1.2-style ClientHello message (handshake header included) around `extensions`;
// without_extensions leaves out the extensions block altogether.
std::string clientHelloMessage(const std::string& extensions, bool without_extensions = false) {
  std::string body = "\x03\x03" + std::string(32, 'r');  // legacy_version, random
  body += static_cast<char>(32) + std::string(32, 's');  // legacy_session_id
  body += u16(4) + std::string("\x13\x01\xc0\x2f", 4);   // cipher_suites
  body += std::string("\x01\x00", 2);                    // compression: null
  if (!without_extensions) {
    body += u16(extensions.size()) + extensions;
  }
  return "\x01" + u24(body.size()) + body;
}

std::string clientHello(const std::string& extensions) {
  return inRecords(clientHelloMessage(extensions), 16384);
}

TEST(TlsClientHello, CapturedOpensslHellosGiveTheirServerName) {
  for (const Capture& capture : kCaptures) {
    SCOPED_TRACE(capture.file);
    ClientHelloInspection result = inspectClientHello(capturedHello(capture.file));
    EXPECT_EQ(result.outcome, capture.outcome);
    EXPECT_EQ(result.server_name, capture.server_name);
  }
}

TEST(TlsClientHello, EveryProperPrefixOfACapturedHelloNeedsMoreBytes) {
  for (const Capture& capture : kCaptures) {
    SCOPED_TRACE(capture.file);
    std::string hello = capturedHello(capture.file);
    for (std::size_t size = 0; size < hello.size(); ++size) {
      ASSERT_EQ(inspectClientHello(std::string_view(hello).substr(0, size)).outcome,
                Outcome::kNeedMoreBytes)
          << "prefix of " << size << " bytes";
    }
  }
}

TEST(TlsClientHello, BytesAfterTheHelloAreNotLookedAt) {
  std::string hello = capturedHello("tls13_sni_a.example.com.bin");
  ClientHelloInspection result = inspectClientHello(hello + "\x14\x03\x03 garbage after");
  EXPECT_EQ(result.outcome, Outcome::kSni);
  EXPECT_EQ(result.server_name, "a.example.com");
}

TEST(TlsClientHello, HelloFragmentedOverSeveralRecordsIsReassembled) {
  // The captured hello's handshake message, re-cut into records of 1, 7 and 100 bytes.
  std::string captured = capturedHello("tls13_sni_a.example.com.bin");
  std::string message = captured.substr(5);
  for (std::size_t fragment : {1u, 7u, 100u}) {
    SCOPED_TRACE(fragment);
    std::string records = inRecords(message, fragment);
    ClientHelloInspection result = inspectClientHello(records);
    EXPECT_EQ(result.outcome, Outcome::kSni);
    EXPECT_EQ(result.server_name, "a.example.com");
    for (std::size_t size = 0; size < records.size(); ++size) {
      ASSERT_EQ(inspectClientHello(std::string_view(records).substr(0, size)).outcome,
                Outcome::kNeedMoreBytes)
          << "prefix of " << size << " bytes";
    }
  }
}

TEST(TlsClientHello, AcceptsRecordVersionsOfTls10To13Only) {
  std::string message = clientHelloMessage(sni("a.example.com"));
  for (char minor : {1, 2, 3, 4}) {
    EXPECT_EQ(inspectClientHello(inRecords(message, 16384, minor)).outcome, Outcome::kSni);
  }
  for (char minor : {0, 5}) {
    EXPECT_EQ(inspectClientHello(inRecords(message, 16384, minor)).outcome, Outcome::kNotTls);
  }
}

TEST(TlsClientHello, GarbageIsNotTlsFromItsFirstBytes) {
  EXPECT_EQ(inspectClientHello(std::string_view("G")).outcome, Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(std::string_view("GET / HTTP/1.1\r\n\r\n")).outcome,
            Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(std::string_view("PROXY TCP4 ")).outcome, Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(std::string("\x16\x02", 2)).outcome, Outcome::kNotTls);
  // An alert record, and a handshake record that is not a ClientHello (ServerHello).
  EXPECT_EQ(inspectClientHello(std::string("\x15\x03\x03\x00\x02\x02\x28", 7)).outcome,
            Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(std::string("\x16\x03\x03\x00\x04\x02\x00\x00\x00", 9)).outcome,
            Outcome::kNotTls);
}

TEST(TlsClientHello, Sslv2CompatibleHelloIsNotTls) {
  // msg_length 0x2e with the high bit set, MSG-CLIENT-HELLO, version 3.1.
  EXPECT_EQ(inspectClientHello(std::string("\x80\x2e\x01\x03\x01\x00\x15", 7)).outcome,
            Outcome::kNotTls);
}

TEST(TlsClientHello, EmptyOrOversizedRecordIsNotTls) {
  EXPECT_EQ(inspectClientHello(std::string("\x16\x03\x01\x00\x00", 5)).outcome,
            Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(std::string("\x16\x03\x01\x40\x01", 5)).outcome,
            Outcome::kNotTls);
  // 2^14 itself is allowed: a prefix of such a record needs more bytes.
  EXPECT_EQ(inspectClientHello(std::string("\x16\x03\x01\x40\x00\x01", 6)).outcome,
            Outcome::kNeedMoreBytes);
}

TEST(TlsClientHello, OtherRecordTypeInTheMiddleOfAFragmentedHelloIsNotTls) {
  std::string records = inRecords(clientHelloMessage(sni("a.example.com")), 50);
  records.insert(55, std::string("\x14\x03\x03\x00\x01\x01", 6));  // ChangeCipherSpec
  EXPECT_EQ(inspectClientHello(records).outcome, Outcome::kNotTls);
}

TEST(TlsClientHello, ServerNameIsLowerCased) {
  ClientHelloInspection result = inspectClientHello(clientHello(sni("WWW.Example.ORG")));
  EXPECT_EQ(result.outcome, Outcome::kSni);
  EXPECT_EQ(result.server_name, "www.example.org");
}

TEST(TlsClientHello, FindsServerNameAmongOtherExtensions) {
  std::string extensions = extension(0x000a, std::string("\x00\x02\x00\x1d", 4)) +
                           extension(0x0017, "") + sni("b.example.com") +
                           extension(0xff01, std::string(1, '\0'));
  ClientHelloInspection result = inspectClientHello(clientHello(extensions));
  EXPECT_EQ(result.outcome, Outcome::kSni);
  EXPECT_EQ(result.server_name, "b.example.com");
}

TEST(TlsClientHello, HelloWithoutServerNameOrWithoutExtensionsIsNoSni) {
  EXPECT_EQ(inspectClientHello(clientHello(extension(0x0017, ""))).outcome, Outcome::kNoSni);
  EXPECT_EQ(inspectClientHello(clientHello("")).outcome, Outcome::kNoSni);
  EXPECT_EQ(inspectClientHello(inRecords(clientHelloMessage("", true), 16384)).outcome,
            Outcome::kNoSni);
  // Only a name type other than host_name.
  EXPECT_EQ(inspectClientHello(clientHello(serverNameExtension({{7, "x"}}))).outcome,
            Outcome::kNoSni);
}

TEST(TlsClientHello, MalformedServerNamesAreNotTls) {
  EXPECT_EQ(inspectClientHello(clientHello(sni(""))).outcome, Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(clientHello(sni(std::string("a\0b", 3)))).outcome,
            Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(clientHello(sni("a b"))).outcome, Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(clientHello(sni(std::string(256, 'a')))).outcome,
            Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(clientHello(serverNameExtension({{0, "a"}, {0, "b"}}))).outcome,
            Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(clientHello(sni("a.example") + sni("b.example"))).outcome,
            Outcome::kNotTls);
  EXPECT_EQ(inspectClientHello(clientHello(extension(0, ""))).outcome, Outcome::kNotTls);
}

TEST(TlsClientHello, EveryLengthTooLongOrTooShortByOneIsNotTls) {
  // Byte offsets in the record of clientHello(sni("a.example.com")).
  const std::string good = clientHello(sni("a.example.com"));
  ASSERT_EQ(inspectClientHello(good).outcome, Outcome::kSni);
  constexpr std::size_t kRecord = 5;                         // handshake header at 5
  constexpr std::size_t kSessionId = kRecord + 4 + 2 + 32;   // 1-byte length
  constexpr std::size_t kCiphers = kSessionId + 1 + 32;      // 2-byte length
  constexpr std::size_t kCompression = kCiphers + 2 + 4;     // 1-byte length
  constexpr std::size_t kExtensions = kCompression + 1 + 1;  // 2-byte length
  constexpr std::size_t kSniLength = kExtensions + 2 + 2;    // 2-byte length
  constexpr std::size_t kListLength = kSniLength + 2;        // 2-byte length
  constexpr std::size_t kNameLength = kListLength + 2 + 1;   // 2-byte length
  for (std::size_t at : {kSessionId, kCiphers + 1, kCompression, kExtensions + 1,
                         kSniLength + 1, kListLength + 1, kNameLength + 1}) {
    for (int delta : {-1, +1}) {
      SCOPED_TRACE(testing::Message() << "byte " << at << " " << delta);
      std::string bad = good;
      bad[at] = static_cast<char>(static_cast<uint8_t>(bad[at]) + delta);
      EXPECT_EQ(inspectClientHello(bad).outcome, Outcome::kNotTls);
    }
  }
}

TEST(TlsClientHello, HandshakeLengthBeyondTheRecordNeedsTheNextRecord) {
  // The handshake header claims one byte more than the record holds: the rest would
  // come in a following record, so this is only a prefix.
  std::string bad = clientHello(sni("a.example.com"));
  bad[8] = static_cast<char>(static_cast<uint8_t>(bad[8]) + 1);
  EXPECT_EQ(inspectClientHello(bad).outcome, Outcome::kNeedMoreBytes);
}

TEST(TlsClientHello, AnyCorruptionOfARealHelloEndsWithAVerdict) {
  // Each byte of every capture set to 0x00, 0x7f, 0x80 and 0xff: the parser stays
  // inside the bytes (run under ASan in the fuzz build) and never reports a name that
  // is not in them.
  for (const Capture& capture : kCaptures) {
    std::string hello = capturedHello(capture.file);
    for (std::size_t at = 0; at < hello.size(); ++at) {
      for (int value : {0x00, 0x7f, 0x80, 0xff}) {
        std::string bad = hello;
        bad[at] = static_cast<char>(value);
        ClientHelloInspection result = inspectClientHello(bad);
        if (result.outcome == Outcome::kSni) {
          std::string lower = bad;
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          ASSERT_NE(lower.find(result.server_name), std::string::npos);
        } else {
          ASSERT_TRUE(result.server_name.empty());
        }
      }
    }
  }
}

TEST(TlsClientHello, HelloThatCannotEndWithinTheCapIsTooLarge) {
  // Claims a 20000-byte ClientHello: known as soon as the handshake header is there.
  std::string header = std::string("\x16\x03\x01\x40\x00\x01", 6) + u24(20000);
  EXPECT_EQ(inspectClientHello(header).outcome, Outcome::kTooLarge);

  // A hello of almost 16 KiB in records of 100 bytes: the message would fit in one
  // record, but with a record header every 100 bytes it does not fit in the bytes
  // examined.
  std::string message = clientHelloMessage(extension(0x0015, std::string(16 * 1024 - 300, '\0')));
  ASSERT_LT(message.size(), 16384u);
  std::string records = inRecords(message, 100);
  ASSERT_GT(records.size(), kMaxClientHelloBytes);
  EXPECT_EQ(inspectClientHello(records).outcome, Outcome::kTooLarge);
  EXPECT_EQ(inspectClientHello(std::string_view(records).substr(0, kMaxClientHelloBytes)).outcome,
            Outcome::kTooLarge);
  EXPECT_EQ(
      inspectClientHello(std::string_view(records).substr(0, kMaxClientHelloBytes - 1)).outcome,
      Outcome::kNeedMoreBytes);
}

TEST(TlsClientHello, LargestSingleRecordHelloIsParsed) {
  // Padding fills the record to exactly 2^14 bytes.
  std::string base = clientHelloMessage(sni("a.example.com") + extension(0x0015, ""));
  std::string message = clientHelloMessage(
      sni("a.example.com") + extension(0x0015, std::string(16384 - base.size(), '\0')));
  ASSERT_EQ(message.size(), 16384u);
  std::string record = inRecords(message, 16384);
  ASSERT_EQ(record.size(), kMaxClientHelloBytes);
  ClientHelloInspection result = inspectClientHello(record);
  EXPECT_EQ(result.outcome, Outcome::kSni);
  EXPECT_EQ(result.server_name, "a.example.com");
}

}  // namespace
}  // namespace weir::proxy
