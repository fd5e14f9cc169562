// The effect of an image request (pull, import, load, build, tag; Docker's API
// and podman's compat and libpod routes): which references the daemon's image
// store now points at which image, read from dockerd's repositories.json
// (enrich/docker_image_state) or podman's images.json (enrich/podman_image_state),
// never from the caller's bytes. Both are compared in Docker's familiar form.
//
// A load's body is an image tarball nobody decodes, a pull or build streams
// for seconds, and a tag's reply comes after the fact; so the store is
// compared with a baseline that predates the request: the store as it was at
// the start, then after each image request's effect was settled. A held
// request is settled when its changes are the same at two looks one tick
// apart (a load writes one image after another), or, for a tag whose reply
// was seen, at once. Changes one request was credited with are not credited to
// another (a concurrent pull's tag is not this build's).
//
// Judgement: each changed reference adds image-pull/image-build/image-tag
// (detail: the reference) and, where it named another image before,
// image-tag-replaced. Where the request named what it makes (pull, import,
// tag, build with -t), a reference it did not name is an effect-mismatch.
// A change that another held image request named is left to that one.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "enrich/docker_image_state.h"
#include "model/decoded_request.h"

namespace sockwarden {

// True for the image requests whose effect is looked for.
bool is_image_op(const std::string& op);
// Those of them judged by containerd's image service (Images/Create, CRI PullImage).
bool is_containerd_image_op(const std::string& op);

// Whose image store a request is judged by.
enum class ImageStore { Docker, Podman, Containerd };

class ImageEffects {
 public:
  using Clock = std::chrono::steady_clock;
  using Roots = std::function<std::vector<std::string>()>;

  // One held image request's view: the store before it, what the last look saw.
  struct Watch {
    std::shared_ptr<const ImageRefs> before;
    std::vector<ImageRefChange> last;
    bool looked = false;
  };

  // roots: dockerd data roots, podman graph roots, or containerd root directories.
  ImageEffects(Roots roots, uint32_t owner, ImageStore store = ImageStore::Docker)
      : roots_(std::move(roots)), owner_(owner), store_(store) {}

  // The baseline for a request admitted now (read at the first call: call early, at start).
  Watch watch(Clock::time_point now);
  // True when settled: r.effect is set. last_chance: the window is over. others_named: what the
  // other held image requests named (image_refs_named): a change one of them named and this one
  // did not is theirs to take (a load held beside a build does not take the build's tag).
  // other_load: another held request is a load, which names nothing: changes this one did not
  // name are left to it.
  bool resolve(DecodedRequest& r, Watch& w, Clock::time_point now, bool last_chance,
               const std::vector<std::string>& others_named = {}, bool other_load = false);

 private:
  // The store now: re-read at most every 100 ms however many requests wait.
  std::shared_ptr<const ImageRefs> current(Clock::time_point now);
  bool credited(const ImageRefChange& c) const;
  void credit(const std::vector<ImageRefChange>& changes);

  Roots roots_;
  uint32_t owner_;
  ImageStore store_;
  bool any_root_ = false;
  std::shared_ptr<const ImageRefs> baseline_;
  std::shared_ptr<const ImageRefs> current_;
  std::optional<Clock::time_point> current_at_;
  // (reference, image) pairs already credited to a request: the latest 4096.
  std::deque<std::pair<std::string, std::string>> credited_;
};

// What the request named it would make, as the store keys references; empty:
// it named nothing checkable (a load: the names are inside its tarball).
// A repository without a tag ("x", a pull of every tag) matches any "x:..."/"x@...".
std::vector<std::string> image_refs_named(const DecodedRequest& r, ImageStore store = ImageStore::Docker);

// The effect of `changes` for request `r` (flags, mismatch against what it named).
RequestEffect image_effect(const DecodedRequest& r, std::vector<ImageRefChange> changes,
                           ImageStore store = ImageStore::Docker);

// True when `ref` (as the store keys it) is one of `names` (image_refs_named).
bool image_ref_named(const std::vector<std::string>& names, const std::string& ref);

}  // namespace sockwarden
