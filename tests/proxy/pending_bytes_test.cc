#include "proxy/connection/pending_bytes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace weir::proxy {
namespace {

std::string contents(const PendingBytes& pending) {
  return std::string(pending.data(), pending.size());
}

TEST(PendingBytes, KeepsOrderAcrossAppendsReservesAndConsumes) {
  PendingBytes pending;
  EXPECT_TRUE(pending.empty());
  pending.append("hello ", 6);
  char* tail = pending.reserve(5, 1 << 20);
  std::memcpy(tail, "world", 5);
  pending.commit(5);
  EXPECT_EQ(contents(pending), "hello world");
  pending.consume(6);
  EXPECT_EQ(contents(pending), "world");
  // Growing with a consumed front keeps the unconsumed bytes, in order.
  const std::string big(100 * 1024, 'x');
  std::memcpy(pending.reserve(big.size(), 1 << 20), big.data(), big.size());
  pending.commit(big.size());
  EXPECT_EQ(contents(pending), "world" + big);
}

TEST(PendingBytes, GivesItsMemoryBackWhenDrained) {
  PendingBytes pending;
  pending.append("abc", 3);
  pending.consume(3);
  EXPECT_TRUE(pending.empty());
  EXPECT_EQ(pending.size(), 0u);
  // Usable again after being emptied.
  pending.append("de", 2);
  EXPECT_EQ(contents(pending), "de");
}

TEST(PendingBytes, GrowthStopsAtTheCeilingUnlessMoreIsNeeded) {
  PendingBytes pending;
  // Reserving 1 KiB under a 4 KiB ceiling must not hand out more than asked for
  // plus the ceiling allows; the bytes written there come back intact.
  char* room = pending.reserve(1024, 4096);
  std::memset(room, 'a', 1024);
  pending.commit(1024);
  room = pending.reserve(3072, 4096);
  std::memset(room, 'b', 3072);
  pending.commit(3072);
  EXPECT_EQ(pending.size(), 4096u);
  EXPECT_EQ(contents(pending), std::string(1024, 'a') + std::string(3072, 'b'));
}

}  // namespace
}  // namespace weir::proxy
