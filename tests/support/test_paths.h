// Paths of the binaries and data the tests use, set by tests/CMakeLists.txt.
#pragma once

namespace weir::test {

inline constexpr const char* kWeirBinary = WEIR_BIN;
inline constexpr const char* kEchoServerBinary = ECHO_SERVER_BIN;
inline constexpr const char* kEchoClientBinary = ECHO_CLIENT_BIN;
inline constexpr const char* kSourceDir = WEIR_SOURCE_DIR;
inline constexpr const char* kTestDataDir = WEIR_TEST_DATA_DIR;

}  // namespace weir::test
