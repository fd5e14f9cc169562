// Output lines copied into shared 64 KiB blocks (sinks/line_text.h): the text
// survives the producer moving on, small lines share a block, large ones get
// their own, and each producer thread fills its own block.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "sinks/line_text.h"

namespace sockwarden {
namespace {

TEST(LineText, EmptyUntilSet) {
  LineText none;
  EXPECT_FALSE(none);
  LineText empty = LineText::copy_of("");
  EXPECT_TRUE(empty);
  EXPECT_EQ(*empty, "");
}

TEST(LineText, SmallLinesShareABlockAndOutliveIt) {
  std::vector<LineText> lines;
  for (int i = 0; i < 3; i++) lines.push_back(LineText::copy_of("{\"n\":" + std::to_string(i) + "}"));
  EXPECT_EQ(lines[0].block(), lines[1].block());
  EXPECT_EQ(lines[1].block(), lines[2].block());
  // Fill past the block: later lines move to a new one, earlier ones keep theirs.
  std::string kib(1000, 'a');
  const char* first = lines[0].block();
  bool moved = false;
  for (size_t i = 0; i < 2 * LineText::kBlockBytes / kib.size() && !moved; i++) {
    lines.push_back(LineText::copy_of(kib));
    moved = lines.back().block() != first;
  }
  EXPECT_TRUE(moved);
  for (int i = 0; i < 3; i++) EXPECT_EQ(*lines[i], "{\"n\":" + std::to_string(i) + "}");
  for (size_t i = 3; i < lines.size(); i++) EXPECT_EQ(*lines[i], kib);
  // The block stays alive while one line of it does.
  LineText keep = lines[1];
  lines.clear();
  EXPECT_EQ(*keep, "{\"n\":1}");
  EXPECT_EQ(keep->size(), 7u);
}

TEST(LineText, LargeLinesGetTheirOwnBlock) {
  LineText small = LineText::copy_of("x");
  std::string big(LineText::kOwnBlockBytes + 1, 'b');
  LineText large = LineText::copy_of(big);
  LineText after = LineText::copy_of("y");
  EXPECT_NE(large.block(), small.block());
  EXPECT_EQ(after.block(), small.block());  // the open block was not given up for it
  EXPECT_EQ(*large, big);
  std::string huge(LineText::kBlockBytes * 3, 'h');
  EXPECT_EQ(*LineText::copy_of(huge), huge);
}

TEST(LineText, EachThreadFillsItsOwnBlock) {
  LineText here = LineText::copy_of("main");
  LineText there;
  std::thread t([&] { there = LineText::copy_of("worker"); });
  t.join();
  EXPECT_NE(here.block(), there.block());
  EXPECT_EQ(*there, "worker");  // the worker's block outlives the worker
}

// A written block is taken again by the next producer that needs one, instead of a fresh
// 64 KiB allocation; past kSpareBlocks, written blocks are freed.
TEST(LineText, WrittenBlocksAreReusedUpToABound) {
  auto line_on_own_thread = [](const char* text) {
    LineText line;
    std::thread t([&] { line = LineText::copy_of(text); });  // a fresh thread: a block of its own
    t.join();
    return line;
  };
  LineText first = line_on_own_thread("first");
  const char* block = first.block();
  first = LineText();  // written: the block is spare now
  const size_t spare = LineText::spare_blocks();
  ASSERT_GE(spare, 1u);
  LineText second = line_on_own_thread("second");
  EXPECT_EQ(second.block(), block);
  EXPECT_EQ(LineText::spare_blocks(), spare - 1);
  EXPECT_EQ(*second, "second");

  std::vector<LineText> lines;
  for (size_t i = 0; i < LineText::kSpareBlocks + 4; i++) lines.push_back(line_on_own_thread("x"));
  lines.clear();
  EXPECT_EQ(LineText::spare_blocks(), LineText::kSpareBlocks);
}

}  // namespace
}  // namespace sockwarden
