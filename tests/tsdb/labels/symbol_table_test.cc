#include "tsdb/labels/symbol_table.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(SymbolTableTest, InternLookupFind) {
  SymbolTable t;
  EXPECT_EQ(t.size(), 0u);
  uint32_t id = 99;
  EXPECT_FALSE(t.Find("job", &id));
  EXPECT_EQ(id, 99u);

  uint32_t job = t.Intern("job");
  uint32_t up = t.Intern("up");
  uint32_t empty = t.Intern("");
  EXPECT_EQ(job, 0u);  // dense, in first-seen order
  EXPECT_EQ(up, 1u);
  EXPECT_EQ(empty, 2u);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.Intern("job"), job);  // stable
  EXPECT_EQ(t.Intern(std::string("up")), up);
  EXPECT_EQ(t.size(), 3u);

  EXPECT_EQ(t.Lookup(job), "job");
  EXPECT_EQ(t.Lookup(up), "up");
  EXPECT_EQ(t.Lookup(empty), "");
  ASSERT_TRUE(t.Find("up", &id));
  EXPECT_EQ(id, up);
  ASSERT_TRUE(t.Find("", &id));
  EXPECT_EQ(id, empty);
  EXPECT_FALSE(t.Find("u", &id));
}

TEST(SymbolTableTest, BinaryAndLongStrings) {
  SymbolTable t;
  std::string nul("a\0b", 3);
  std::string long1(200, 'x');    // two-byte length prefix
  std::string huge(100000, 'y');  // bigger than an arena block
  std::string big_but_shared(8000, 'z');
  uint32_t a = t.Intern(nul);
  uint32_t b = t.Intern(long1);
  uint32_t c = t.Intern(huge);
  uint32_t d = t.Intern(big_but_shared);
  EXPECT_EQ(t.Lookup(a), nul);
  EXPECT_EQ(t.Lookup(b), long1);
  EXPECT_EQ(t.Lookup(c), huge);
  EXPECT_EQ(t.Lookup(d), big_but_shared);
  EXPECT_NE(t.Intern(std::string_view("a", 1)), a);
  EXPECT_EQ(t.Intern(huge), c);
}

TEST(SymbolTableTest, ManyStringsAcrossBlocksAndSegments) {
  SymbolTable t;
  // ~4 MB of strings: many 64 KiB arena blocks and several directory segments.
  constexpr int kN = 200000;
  std::vector<std::string_view> views;
  views.reserve(kN);
  for (int i = 0; i < kN; ++i) {
    std::string s = "value-" + std::to_string(i) + std::string(i % 13, '.');
    uint32_t id = t.Intern(s);
    ASSERT_EQ(id, static_cast<uint32_t>(i));
    views.push_back(t.Lookup(id));
  }
  EXPECT_EQ(t.size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; i += 7) {
    std::string s = "value-" + std::to_string(i) + std::string(i % 13, '.');
    // Views handed out earlier still point at the same, unmoved bytes.
    EXPECT_EQ(views[i], s);
    EXPECT_EQ(views[i].data(), t.Lookup(i).data());
    uint32_t id;
    ASSERT_TRUE(t.Find(s, &id));
    EXPECT_EQ(id, static_cast<uint32_t>(i));
    EXPECT_EQ(t.Intern(s), static_cast<uint32_t>(i));
  }
  EXPECT_EQ(t.size(), static_cast<size_t>(kN));
}

TEST(SymbolTableTest, MemoryBytesIsHonest) {
  SymbolTable t;
  size_t empty = t.MemoryBytes();
  EXPECT_GT(empty, 0u);
  constexpr int kN = 100000;
  size_t string_bytes = 0;
  for (int i = 0; i < kN; ++i) {
    std::string s = "some-label-value-" + std::to_string(i);
    string_bytes += s.size();
    t.Intern(s);
  }
  size_t bytes = t.MemoryBytes();
  // At least the strings and the 8-byte directory entries...
  EXPECT_GE(bytes, string_bytes + 8 * kN);
  // ...and compact: under 2x of strings + directory + a 4-byte index slot.
  EXPECT_LT(bytes, 2 * (string_bytes + 12 * kN));
  // Interning known strings does not grow it.
  for (int i = 0; i < 1000; ++i) t.Intern("some-label-value-" + std::to_string(i));
  EXPECT_EQ(t.MemoryBytes(), bytes);
}

TEST(SymbolTableTest, ConcurrentInternAgreesOnIds) {
  SymbolTable t;
  constexpr int kThreads = 4;
  constexpr int kStrings = 20000;
  std::vector<std::vector<uint32_t>> ids(kThreads, std::vector<uint32_t>(kStrings));
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) {
      }
      // Each thread walks the strings in a different order, so new strings are
      // raced for and known ones are looked up while others insert.
      for (int k = 0; k < kStrings; ++k) {
        int i = th % 2 == 0 ? k : kStrings - 1 - k;
        if (th >= 2) i = (k * 7919) % kStrings;
        std::string s = "s" + std::to_string(i);
        uint32_t id = t.Intern(s);
        ids[th][i] = id;
        EXPECT_EQ(t.Lookup(id), s);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(t.size(), static_cast<size_t>(kStrings));
  std::vector<bool> seen(kStrings, false);
  for (int i = 0; i < kStrings; ++i) {
    for (int th = 1; th < kThreads; ++th) ASSERT_EQ(ids[th][i], ids[0][i]) << i;
    ASSERT_LT(ids[0][i], static_cast<uint32_t>(kStrings));
    EXPECT_FALSE(seen[ids[0][i]]) << "id handed out twice";
    seen[ids[0][i]] = true;
    EXPECT_EQ(t.Lookup(ids[0][i]), "s" + std::to_string(i));
  }
}

}  // namespace
}  // namespace strata
