#include "enrich/bolt_db.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "enrich/small_file.h"

namespace sockwarden {
namespace {

// bbolt's on-disk constants (bbolt/internal/common).
constexpr uint32_t kMagic = 0xED0CDAED;
constexpr uint32_t kVersion = 2;
constexpr uint16_t kBranchPage = 0x01;
constexpr uint16_t kLeafPage = 0x02;
constexpr uint32_t kBucketLeaf = 0x01;  // a leaf element whose value is a bucket
constexpr size_t kPageHeader = 16;      // id u64, flags u16, count u16, overflow u32
constexpr size_t kElement = 16;         // branch: pos, ksize, pgid; leaf: flags, pos, ksize, vsize
constexpr size_t kBucketHeader = 16;    // root pgid u64, sequence u64
constexpr size_t kMetaSize = 64;        // checksum in the last 8 bytes
constexpr int kMaxDepth = 32;           // B+tree levels plus nested buckets along one path
constexpr size_t kCacheBytes = size_t{16} << 20;
constexpr size_t kMaxVisits = 2000000;        // page visits (cache hits included) per snapshot

template <class T>
T load(std::string_view b, size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);  // little-endian: bbolt writes host order, and
  return v;                                    // every platform we run on is little-endian
}

// FNV-1a 64, as bbolt checksums its meta.
uint64_t fnv1a64(std::string_view b) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : b) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool pread_all(int fd, char* out, size_t n, uint64_t off) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(off + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

// One snapshot's lookups: the meta it started from, the file size, the pages
// read so far (budgeted, and cached up to kCacheBytes), and whether anything
// was out of place.
struct BoltDb::View::State {
  int fd;
  BoltLimits limits;
  Meta meta;
  uint64_t file_size;
  size_t pages_read = 0;
  size_t visits = 0;
  size_t cached_bytes = 0;
  bool damaged = false;
  std::unordered_map<uint64_t, std::string> cache;

  // A bucket: its root page, or (root 0) its inline page.
  struct Bucket {
    uint64_t root = 0;
    std::string inline_page;
  };

  // Page `id` with its overflow pages, checked; nullptr (damaged) if not a
  // branch or leaf page that carries its own id within the database.
  const std::string* page(uint64_t id) {
    // Every visit counts, cached or not: a branch page listing itself (or one
    // page) many times is a cycle or a fan the budget must end.
    if (++visits > kMaxVisits) return fail();
    if (auto it = cache.find(id); it != cache.end()) return &it->second;
    const uint64_t ps = meta.page_size;
    if (id < 2 || id >= meta.high || ++pages_read > limits.max_pages) return fail();
    std::string buf(ps, '\0');
    if ((id + 1) * ps > file_size || !pread_all(fd, buf.data(), ps, id * ps)) return fail();
    const uint64_t own = load<uint64_t>(buf, 0);
    const uint16_t flags = load<uint16_t>(buf, 8);
    const uint32_t overflow = load<uint32_t>(buf, 12);
    if (own != id || (flags != kBranchPage && flags != kLeafPage)) return fail();
    if (overflow) {
      const uint64_t total = (uint64_t{overflow} + 1) * ps;
      if (id + overflow >= meta.high || total > limits.max_value + ps || id * ps + total > file_size) return fail();
      pages_read += overflow;
      buf.resize(total);
      if (!pread_all(fd, buf.data() + ps, total - ps, (id + 1) * ps)) return fail();
    }
    if (cached_bytes + buf.size() > kCacheBytes) {
      // Not kept: one slot reused for uncached pages (valid until the next call).
      cache.erase(UINT64_MAX);
      return &(cache[UINT64_MAX] = std::move(buf));
    }
    cached_bytes += buf.size();
    return &(cache[id] = std::move(buf));
  }
  std::nullptr_t fail() {
    damaged = true;
    return nullptr;
  }

  // Element i of a page, bounds-checked: key and value views into `p`.
  struct Element {
    bool ok = false;
    uint32_t flags = 0;
    uint64_t child = 0;  // branch
    std::string_view key, value;
  };
  Element element(std::string_view p, bool branch, size_t i) {
    Element e;
    const uint64_t off = kPageHeader + uint64_t{i} * kElement;
    if (off + kElement > p.size()) return damaged = true, e;
    const uint32_t a = load<uint32_t>(p, off), pos = load<uint32_t>(p, off + 4), ksize = load<uint32_t>(p, off + 8);
    if (branch) {
      // branch element: pos, ksize, pgid
      e.child = load<uint64_t>(p, off + 8);
      const uint32_t bpos = a, bksize = pos;
      if (off + bpos + bksize > p.size()) return damaged = true, e;
      e.key = p.substr(off + bpos, bksize);
    } else {
      const uint32_t vsize = load<uint32_t>(p, off + 12);
      if (off + pos + uint64_t{ksize} + vsize > p.size()) return damaged = true, e;
      e.flags = a;
      e.key = p.substr(off + pos, ksize);
      e.value = p.substr(off + pos + ksize, vsize);
    }
    e.ok = true;
    return e;
  }

  // The page a bucket's tree starts at.
  std::optional<std::string_view> root_page(const Bucket& b) {
    if (b.root == 0) {
      if (b.inline_page.size() < kPageHeader || load<uint16_t>(b.inline_page, 8) != kLeafPage) return fail(), std::nullopt;
      return std::string_view(b.inline_page);
    }
    const std::string* p = page(b.root);
    if (!p) return std::nullopt;
    return std::string_view(*p);
  }

  // The leaf element of `key` in the tree below `p`, if there.
  std::optional<Element> find(std::string_view p, std::string_view key, int depth) {
    if (depth > kMaxDepth) return fail(), std::nullopt;
    const uint16_t flags = load<uint16_t>(p, 8), count = load<uint16_t>(p, 10);
    if (flags == kBranchPage) {
      // The last child whose first key is <= key (the first child when key sorts before all).
      std::optional<uint64_t> child;
      for (size_t i = 0; i < count; i++) {
        Element e = element(p, true, i);
        if (!e.ok) return std::nullopt;
        if (i > 0 && e.key > key) break;
        child = e.child;
      }
      if (!child) return std::nullopt;
      const std::string* c = page(*child);
      if (!c) return std::nullopt;
      return find(*c, key, depth + 1);
    }
    for (size_t i = 0; i < count; i++) {
      Element e = element(p, false, i);
      if (!e.ok) return std::nullopt;
      if (e.key == key) return e;
      if (e.key > key) break;
    }
    return std::nullopt;
  }

  // Every leaf element below `p`, in order; false to stop (fn said so, or damage).
  bool walk(std::string_view p, int depth, const std::function<bool(const Element&)>& fn) {
    if (depth > kMaxDepth) return fail(), false;
    const uint16_t flags = load<uint16_t>(p, 8), count = load<uint16_t>(p, 10);
    const bool branch = flags == kBranchPage;
    for (size_t i = 0; i < count; i++) {
      Element e = element(p, branch, i);
      if (!e.ok) return false;
      if (branch) {
        const std::string* c = page(e.child);
        // Copy: a page outside the cache's budget lives in a reused slot.
        if (!c) return false;
        std::string child = *c;
        if (!walk(child, depth + 1, fn)) return false;
      } else if (!fn(e)) {
        return false;
      }
    }
    return true;
  }

  // The bucket at `path` from the top, if every step is a bucket.
  std::optional<Bucket> bucket(const std::vector<std::string>& path) {
    Bucket b{meta.root, {}};
    int depth = 0;
    for (const auto& name : path) {
      auto p = root_page(b);
      if (!p) return std::nullopt;
      std::string copy(*p);
      auto e = find(copy, name, ++depth);
      if (!e || !(e->flags & kBucketLeaf)) return std::nullopt;
      if (e->value.size() < kBucketHeader) return fail(), std::nullopt;
      Bucket next;
      next.root = load<uint64_t>(e->value, 0);
      if (next.root == 0) next.inline_page = std::string(e->value.substr(kBucketHeader));
      b = std::move(next);
      if (depth > kMaxDepth) return fail(), std::nullopt;
    }
    return b;
  }
};

bool BoltDb::View::each(const std::vector<std::string>& path, const Visit& fn) {
  auto b = s_->bucket(path);
  if (!b) return false;
  auto p = s_->root_page(*b);
  if (!p) return false;
  std::string copy(*p);
  s_->walk(copy, static_cast<int>(path.size()) + 1, [&](const State::Element& e) {
    const bool is_bucket = e.flags & kBucketLeaf;
    return fn(e.key, is_bucket ? std::string_view() : e.value, is_bucket);
  });
  return !s_->damaged;
}

std::optional<std::string> BoltDb::View::get(const std::vector<std::string>& path, std::string_view key) {
  auto b = s_->bucket(path);
  if (!b) return std::nullopt;
  auto p = s_->root_page(*b);
  if (!p) return std::nullopt;
  std::string copy(*p);
  auto e = s_->find(copy, key, static_cast<int>(path.size()) + 1);
  if (!e || (e->flags & kBucketLeaf) || e->value.size() > s_->limits.max_value) return std::nullopt;
  return std::string(e->value);
}

std::optional<BoltDb> BoltDb::open(const std::string& path, uint32_t owner, BoltLimits limits, std::string* why) {
  auto say = [&](const char* w) {
    if (why) *why = w;
    return std::nullopt;
  };
  Fd f{open_regular_file(path, limits.max_file, false, owner)};
  if (f.fd < 0) return say("not a regular file of the expected owner and size");
  BoltDb db(f.fd, limits);
  f.fd = -1;
  auto m = db.read_meta();
  if (!m) return say("no valid bbolt meta page");
  db.page_size_ = m->page_size;
  return db;
}

BoltDb::BoltDb(BoltDb&& o) noexcept : fd_(std::exchange(o.fd_, -1)), limits_(o.limits_), page_size_(o.page_size_) {}
BoltDb& BoltDb::operator=(BoltDb&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    limits_ = o.limits_;
    page_size_ = o.page_size_;
  }
  return *this;
}
BoltDb::~BoltDb() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<BoltDb::Meta> BoltDb::read_meta() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return std::nullopt;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  // Meta page 0 at offset 0 says the page size, and meta page 1 is the next
  // page. If page 0 is torn, page 1 is looked for at the usual page sizes.
  auto meta_at = [&](uint64_t off) -> std::optional<Meta> {
    std::string b(kPageHeader + kMetaSize, '\0');
    if (off + b.size() > size || !pread_all(fd_, b.data(), b.size(), off)) return std::nullopt;
    std::string_view m(b.data() + kPageHeader, kMetaSize);
    if (load<uint32_t>(m, 0) != kMagic || load<uint32_t>(m, 4) != kVersion) return std::nullopt;
    if (fnv1a64(m.substr(0, 56)) != load<uint64_t>(m, 56)) return std::nullopt;
    Meta r;
    r.page_size = load<uint32_t>(m, 8);
    r.root = load<uint64_t>(m, 16);
    r.high = load<uint64_t>(m, 48 - 8);
    r.txid = load<uint64_t>(m, 48);
    const uint32_t ps = r.page_size;
    if (ps < 512 || ps > 65536 || (ps & (ps - 1)) != 0) return std::nullopt;
    if (r.root < 2 || r.root >= r.high || r.high > size / ps) return std::nullopt;
    if (off != 0 && off != ps) return std::nullopt;
    return r;
  };
  auto m0 = meta_at(0);
  std::optional<Meta> m1;
  if (m0) {
    m1 = meta_at(m0->page_size);
  } else {
    for (uint64_t ps : {4096, 8192, 16384, 32768, 65536, 1024, 2048, 512})
      if ((m1 = meta_at(ps))) break;
  }
  if (m0 && m1) return m1->txid > m0->txid ? m1 : m0;
  return m0 ? m0 : m1;
}

bool BoltDb::read(const std::function<void(View&)>& fn) const {
  for (int attempt = 0; attempt < 3; attempt++) {
    auto m = read_meta();
    if (!m) return false;
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return false;
    View::State s{fd_, limits_, *m, static_cast<uint64_t>(st.st_size), 0, 0, 0, false, {}};
    View v(&s);
    fn(v);
    // Pages of transaction T are reused no earlier than transaction T+2 (they
    // are freed by T+1 and released when T+2 begins): a lookup that ran while
    // the database moved at most one transaction saw T's pages only.
    auto after = read_meta();
    if (!after) return false;
    const bool moved = after->txid > m->txid + 1;
    if (!moved && !s.damaged) return true;
    if (!moved) return false;  // damaged in a snapshot that held still: the file is bad
  }
  return false;
}

bool BoltDb::each(const std::vector<std::string>& path, const View::Visit& fn) const {
  // The entries are kept until the snapshot proved consistent, then handed on.
  std::vector<std::tuple<std::string, std::string, bool>> entries;
  bool found = false;
  bool ok = read([&](View& v) {
    entries.clear();
    found = v.each(path, [&](std::string_view k, std::string_view val, bool b) {
      entries.emplace_back(std::string(k), std::string(val), b);
      return true;
    });
  });
  if (!ok || !found) return false;
  for (const auto& [k, val, b] : entries)
    if (!fn(k, val, b)) break;
  return true;
}

std::optional<std::string> BoltDb::get(const std::vector<std::string>& path, std::string_view key) const {
  std::optional<std::string> out;
  if (!read([&](View& v) { out = v.get(path, key); })) return std::nullopt;
  return out;
}

}  // namespace sockwarden
