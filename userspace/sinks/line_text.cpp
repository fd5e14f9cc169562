#include "sinks/line_text.h"

#include <cstring>
#include <mutex>
#include <vector>

namespace sockwarden {

namespace {

// Written blocks kept for reuse. A 64 KiB block is glibc's fast-bin consolidation threshold:
// its free (on a writer thread) consolidated and trimmed the producer's arena under its lock,
// and the next block's malloc grew it again (issue 18's flood profile: ~11,000 instructions
// per block, ~220 per event). At most kSpareBlocks wait here; the rest are freed.
class BlockPool {
 public:
  static BlockPool& instance() {
    // Never destroyed: a writer thread may release its last lines during exit.
    static BlockPool* pool = new BlockPool;
    return *pool;
  }

  std::shared_ptr<char[]> take() {
    char* block = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        block = free_.back();
        free_.pop_back();
      }
    }
    if (!block) block = new char[LineText::kBlockBytes];
    return std::shared_ptr<char[]>(block, [](char* b) { instance().give_back(b); });
  }

  size_t spare() {
    std::lock_guard<std::mutex> lock(mu_);
    return free_.size();
  }

 private:
  void give_back(char* block) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.size() < LineText::kSpareBlocks) {
        free_.push_back(block);
        return;
      }
    }
    delete[] block;
  }

  std::mutex mu_;
  std::vector<char*> free_;
};

// The calling thread's block being filled. Only its own thread appends to it;
// the queues' copies of the shared_ptr keep a full block alive until written.
struct OpenBlock {
  std::shared_ptr<char[]> block;
  size_t used = 0;
  size_t size = 0;
};

}  // namespace

size_t LineText::spare_blocks() { return BlockPool::instance().spare(); }

LineText LineText::copy_of(std::string_view text) {
  if (text.size() > kOwnBlockBytes) {
    auto own = std::make_shared_for_overwrite<char[]>(text.size());
    std::memcpy(own.get(), text.data(), text.size());
    std::string_view view(own.get(), text.size());
    return LineText(std::move(own), view);
  }
  thread_local OpenBlock open;
  if (!open.block || open.size - open.used < text.size()) {
    open.block = BlockPool::instance().take();
    open.used = 0;
    open.size = kBlockBytes;
  }
  char* at = open.block.get() + open.used;
  if (!text.empty()) std::memcpy(at, text.data(), text.size());
  open.used += text.size();
  return LineText(open.block, std::string_view(at, text.size()));
}

}  // namespace sockwarden
