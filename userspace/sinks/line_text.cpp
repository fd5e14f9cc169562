#include "sinks/line_text.h"

#include <cstring>

namespace sockwarden {

namespace {

// The calling thread's block being filled. Only its own thread appends to it;
// the queues' copies of the shared_ptr keep a full block alive until written.
struct OpenBlock {
  std::shared_ptr<char[]> block;
  size_t used = 0;
  size_t size = 0;
};

}  // namespace

LineText LineText::copy_of(std::string_view text) {
  if (text.size() > kOwnBlockBytes) {
    auto own = std::make_shared_for_overwrite<char[]>(text.size());
    std::memcpy(own.get(), text.data(), text.size());
    std::string_view view(own.get(), text.size());
    return LineText(std::move(own), view);
  }
  thread_local OpenBlock open;
  if (!open.block || open.size - open.used < text.size()) {
    open.block = std::make_shared_for_overwrite<char[]>(kBlockBytes);
    open.used = 0;
    open.size = kBlockBytes;
  }
  char* at = open.block.get() + open.used;
  if (!text.empty()) std::memcpy(at, text.data(), text.size());
  open.used += text.size();
  return LineText(open.block, std::string_view(at, text.size()));
}

}  // namespace sockwarden
