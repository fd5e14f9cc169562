// One JSON line as the output queues hold it: a view into a block of lines that
// one producer thread fills and every queue holding one of its lines shares.
//
// Issue 18's profile of the watched request loop: a line was a std::string of
// its exact size plus a shared_ptr control block, two allocations per event,
// and the writer thread's free of a line of more than 1 KiB went through the
// producer arena's lock and chunk consolidation (malloc_consolidate,
// unlink_chunk). Lines are now copied into 64 KiB blocks: one allocation per
// ~50 lines, freed when the last line in the block has been written.
//
// Memory: a block lives while any of its lines is queued, so what the queues'
// byte bound counts (the lines) is what they hold, plus at most one block's
// tail per producer thread and, per block, the room a line did not fit in
// (lines above kOwnBlockBytes get a block of their own, so that is < 4 KiB).
// Up to kSpareBlocks (1 MiB) written blocks are kept for the next ones.
#pragma once
#include <cstddef>
#include <memory>
#include <string_view>

namespace sockwarden {

class LineText {
 public:
  static constexpr size_t kBlockBytes = 64 * 1024;
  static constexpr size_t kOwnBlockBytes = 4 * 1024;

  LineText() = default;
  // Copies `text` into the calling thread's current block.
  static LineText copy_of(std::string_view text);

  const std::string_view& operator*() const { return text_; }
  const std::string_view* operator->() const { return &text_; }
  explicit operator bool() const { return block_ != nullptr; }
  // The block this line lives in (tests: lines share blocks).
  const char* block() const { return block_.get(); }
  // Written blocks kept for reuse (at most kSpareBlocks; tests).
  static constexpr size_t kSpareBlocks = 16;
  static size_t spare_blocks();

 private:
  LineText(std::shared_ptr<char[]> block, std::string_view text) : block_(std::move(block)), text_(text) {}
  std::shared_ptr<char[]> block_;
  std::string_view text_;
};

}  // namespace sockwarden
