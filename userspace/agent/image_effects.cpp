#include "agent/image_effects.h"

#include <algorithm>
#include <tuple>

#include "decode/docker_api_routes.h"
#include "decode/risk_flags.h"
#include "enrich/containerd_effect_state.h"
#include "enrich/containerd_image_state.h"
#include "enrich/podman_image_state.h"

namespace sockwarden {
namespace {


// The repository part of a stored reference: "x:1" -> "x", "x@sha256:.." -> "x", "h:5000/x:1" -> "h:5000/x".
std::string repo_of(const std::string& ref) {
  size_t at = ref.find('@');
  if (at != std::string::npos) return ref.substr(0, at);
  size_t slash = ref.rfind('/'), colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) return ref.substr(0, colon);
  return ref;
}

}  // namespace

bool image_ref_named(const std::vector<std::string>& names, const std::string& ref) {
  for (const auto& n : names) {
    if (n == ref) return true;
    // "x" alone: a pull of every tag of x (and the digest references it records).
    if (n.back() == '/' && repo_of(ref) == n.substr(0, n.size() - 1)) return true;
    // A tag pull also records the manifest's digest reference in the same repository.
    if (ref.find('@') != std::string::npos && repo_of(ref) == repo_of(n)) return true;
  }
  return false;
}

bool is_image_op(const std::string& op) {
  return op == "image-pull" || op == "image-load" || op == "image-build" || op == "image-tag" ||
         is_containerd_image_op(op);
}

bool is_containerd_image_op(const std::string& op) {
  return op == "containerd-image-create" || op == "cri-pull-image";
}

std::vector<std::string> image_refs_named(const DecodedRequest& r, ImageStore store) {
  // podman's libpod API makes a tag or build named without a registry a local image
  // ("localhost/x"); its compat API, like Docker, takes it for docker.io.
  const bool libpod_local = store == ImageStore::Podman && r.path.rfind("/libpod/", 0) == 0;
  auto familiar = [&](std::string_view name, std::string_view tag) {
    if (libpod_local && r.operation != "image-pull" && !name.empty())
      return docker_familiar_ref(podman_local_name(name), tag);
    return docker_familiar_ref(name, tag);
  };
  std::vector<std::string> out;
  const std::string& op = r.operation;
  if (is_containerd_image_op(op)) {
    // Images/Create names the image as containerd stores it, in the request's namespace; the
    // CRI plugin pulls into k8s.io, normalizing the name as Docker does ("busybox" is
    // "docker.io/library/busybox:latest").
    const std::string ns = op == "cri-pull-image" ? kCriNamespace
                           : r.containerd_namespace.empty() ? "default" : r.containerd_namespace;
    if (std::string k = containerd_image_key(ns, r.summary_string("image")); !k.empty()) out.push_back(k);
    return out;
  }
  if (op == "image-pull") {
    const std::string image = r.summary_string("image");
    std::string tag = query_param(r.query, "tag");
    // A pull without a tag pulls every tag of the repository (`docker pull -a`); an import
    // without one is tagged latest.
    // (repo_of(image) == image: no tag and no digest in the name.)
    if (tag.empty() && r.summary_string("from_src").empty() && !image.empty() && repo_of(image) == image) {
      std::string f = familiar(image, {});
      if (!f.empty()) out.push_back(repo_of(f) + "/");  // "x/": any reference in repository x
      return out;
    }
    if (std::string f = familiar(image, {}); !f.empty()) out.push_back(f);
  } else if (op == "image-tag") {
    if (std::string f = familiar(r.summary_string("repo"), r.summary_string("tag")); !f.empty())
      out.push_back(f);
  } else if (op == "image-build") {
    for (const auto& t : query_params(r.query, "t"))
      if (std::string f = familiar(t, {}); !f.empty()) out.push_back(f);
  }
  return out;
}

RequestEffect image_effect(const DecodedRequest& r, std::vector<ImageRefChange> changes, ImageStore store) {
  RequestEffect eff;
  eff.status = "verified";
  eff.source = store == ImageStore::Podman       ? "podman-image-state"
               : store == ImageStore::Containerd ? "containerd-metadata"
                                                 : "docker-image-state";
  eff.image = true;
  const std::string& op = r.operation;
  const char* flag = op == "image-build" ? risk::kImageBuild : op == "image-tag" ? risk::kImageTag : risk::kImagePull;
  // A load names nothing it makes (the names are in its tarball): nothing to disagree with.
  const bool checkable = op != "image-load";
  const std::vector<std::string> names = image_refs_named(r, store);
  for (auto& c : changes) {
    const bool named = image_ref_named(names, c.ref);
    // containerd's keys carry the namespace: shown apart from the reference.
    if (store == ImageStore::Containerd) std::tie(c.ns, c.ref) = split_containerd_image_key(c.ref);
    eff.risk.push_back(RiskFlag{flag, c.ref});
    if (!c.previous.empty()) eff.risk.push_back(RiskFlag{risk::kImageTagReplaced, c.ref});
    if (checkable && !named) eff.mismatch.push_back("image:" + c.ref);
  }
  eff.images = std::move(changes);
  return eff;
}

ImageEffects::Watch ImageEffects::watch(Clock::time_point now) {
  if (!baseline_) baseline_ = current(now);
  Watch w;
  w.before = baseline_;
  return w;
}

std::shared_ptr<const ImageRefs> ImageEffects::current(Clock::time_point now) {
  if (current_ && current_at_ && now >= *current_at_ && now - *current_at_ < std::chrono::milliseconds(100))
    return current_;
  auto refs = std::make_shared<ImageRefs>();
  any_root_ = false;
  for (const auto& root : roots_ ? roots_() : std::vector<std::string>{}) {
    auto r = store_ == ImageStore::Podman       ? read_podman_image_refs(root, owner_)
             : store_ == ImageStore::Containerd ? read_containerd_image_refs(root, owner_)
                                                : read_docker_image_refs(root, owner_);
    if (!r) continue;
    any_root_ = true;
    for (auto& [k, v] : *r)
      if (refs->size() < kDockerImageRefsMax) refs->emplace(k, v);
  }
  current_ = std::move(refs);
  current_at_ = now;
  return current_;
}

bool ImageEffects::credited(const ImageRefChange& c) const {
  return std::find(credited_.begin(), credited_.end(), std::pair{c.ref, c.image_id}) != credited_.end();
}

void ImageEffects::credit(const std::vector<ImageRefChange>& changes) {
  for (const auto& c : changes) {
    credited_.emplace_back(c.ref, c.image_id);
    if (credited_.size() > 4096) credited_.pop_front();
  }
}

bool ImageEffects::resolve(DecodedRequest& r, Watch& w, Clock::time_point now, bool last_chance,
                           const std::vector<std::string>& others_named, bool other_load) {
  auto cur = current(now);
  if (!w.before) w.before = baseline_ ? baseline_ : cur;
  const std::vector<std::string> mine = image_refs_named(r, store_);
  std::vector<ImageRefChange> changes;
  for (auto& c : image_ref_changes(*w.before, *cur)) {
    if (credited(c)) continue;
    const bool named_here = image_ref_named(mine, c.ref);
    if (!named_here && image_ref_named(others_named, c.ref)) continue;                     // theirs
    if (!named_here && other_load && r.operation != "image-load") continue;                // the load's

    changes.push_back(std::move(c));
  }
  if (changes.empty()) {
    if (!last_chance) return false;
    // A build without -t makes an untagged image: no reference changes, and that is its effect.
    const bool untagged_build = r.operation == "image-build" && mine.empty() && r.status_code &&
                                *r.status_code < 400;
    if (untagged_build && any_root_) {
      r.effect = image_effect(r, {}, store_);
    } else {
      r.effect = RequestEffect::unknown(any_root_ ? "no-image-change" : "no-runtime-state");
    }
    baseline_ = cur;
    return true;
  }
  // Settled when two looks agree (a load writes image after image), or at once for a tag whose
  // reply was seen (the daemon answers after it moved the reference).
  const bool replied_tag = r.operation == "image-tag" && r.status_code && *r.status_code < 400;
  if (!last_chance && !replied_tag && (!w.looked || w.last != changes)) {
    w.last = changes;
    w.looked = true;
    return false;
  }
  credit(changes);
  baseline_ = cur;
  r.effect = image_effect(r, std::move(changes), store_);
  return true;
}

}  // namespace sockwarden
