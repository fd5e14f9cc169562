// Boxed<T>: an optional T kept on the heap, copied by value like std::optional.
//
// Why: an Event is moved through every stage and queued several times, and its rare, large parts
// (a decoded request is ~1.2 KiB, an audit finding and the agent's lifecycle record more) made it
// ~2.9 KiB inline even for the connects and sends that never carry them. Issue 18's profile of the
// watched request loop found the moves and the per-stage vectors of such events (too large for
// malloc's per-thread cache) a fifth of the agent's CPU. Boxed, these parts cost a pointer until
// they are set. The interface is std::optional's, as far as the code uses it.
#pragma once
#include <memory>
#include <optional>
#include <utility>

namespace sockwarden {

template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(std::nullopt_t) {}  // NOLINT: implicit, as std::optional's
  Boxed(const T& v) : p_(std::make_unique<T>(v)) {}        // NOLINT: implicit, as std::optional's
  Boxed(T&& v) : p_(std::make_unique<T>(std::move(v))) {}  // NOLINT: implicit, as std::optional's
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed(Boxed&& o) noexcept = default;
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&& o) noexcept = default;
  Boxed& operator=(std::nullopt_t) {
    p_.reset();
    return *this;
  }
  Boxed& operator=(const T& v) {
    if (p_) *p_ = v;
    else p_ = std::make_unique<T>(v);
    return *this;
  }
  Boxed& operator=(T&& v) {
    if (p_) *p_ = std::move(v);
    else p_ = std::make_unique<T>(std::move(v));
    return *this;
  }

  template <class... Args>
  T& emplace(Args&&... args) {
    p_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *p_;
  }
  void reset() { p_.reset(); }

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return p_ != nullptr; }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  T& value() { return p_ ? *p_ : throw_empty(); }
  const T& value() const { return p_ ? *p_ : throw_empty(); }
  T value_or(T otherwise) const { return p_ ? *p_ : std::move(otherwise); }

 private:
  [[noreturn]] static T& throw_empty() { throw std::bad_optional_access(); }
  std::unique_ptr<T> p_;
};

}  // namespace sockwarden
