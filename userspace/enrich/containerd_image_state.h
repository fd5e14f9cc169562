// Which image each name points at in containerd's image service, read from
// its metadata database: <root>/io.containerd.metadata.v1.bolt/meta.db
// (BoltDB, enrich/bolt_db), bucket v1/<namespace>/images/<name>/target, key
// "digest". containerd writes it when an image is created or updated
// (Images/Create: `ctr images import|pull`, nerdctl; the CRI plugin's
// PullImage in namespace k8s.io): the ground truth a containerd image
// request's effect is judged by (agent/image_effects), as dockerd's
// repositories.json is for Docker's.
//
// Names are kept in Docker's familiar form ("docker.io/library/busybox:latest"
// is "busybox:latest") behind their namespace (containerd_image_key), so that
// one judgement serves every store. The CRI plugin also names each image by
// its config digest ("sha256:<64 hex>", no repository): that is an index, no
// reference, and is left out.
//
// Hostile: the database is read as bolt_db reads (owner's regular file, no
// symlink, pages checked); namespaces must pass containerd's identifier rule,
// names are bounded and printable, digests "sha256:<64 hex>"; at most
// kDockerImageRefsMax names.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "enrich/docker_image_state.h"

namespace sockwarden {

// "<namespace>\x1f<familiar name>": how this store keys a reference (the unit
// separator is in no namespace and no reference). "" when either is invalid.
std::string containerd_image_key(std::string_view ns, std::string_view name);
// The key's two parts back (namespace, name); ns "" for a key of no namespace.
std::pair<std::string, std::string> split_containerd_image_key(const std::string& key);

// Every image name of every namespace, or nullopt when there is no database to read.
std::optional<ImageRefs> read_containerd_image_refs(const std::string& root, uint32_t owner = 0);

}  // namespace sockwarden
