#include "lint/lint_runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lint/compose_check.h"
#include "lint/daemon_json_check.h"
#include "lint/container_cli.h"
#include "lint/kubernetes_check.h"
#include "lint/suppression.h"
#include "lint/systemd_check.h"
#include "lint/text_check.h"
#include "lint/yaml_budget.h"

namespace sockwarden::lint {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool has_shell_shebang(const std::string& path) {
  std::ifstream in(path);
  std::string first;
  if (!std::getline(in, first) || first.rfind("#!", 0) != 0) return false;
  return first.find("sh") != std::string::npos;
}

// A YAML folded block (key: > or - >) is one command line whose words
// continue on the following, more indented lines: give those lines a
// backslash so the shell word splitter reads them as one line.
std::vector<std::string> join_folded_blocks(std::vector<std::string> lines) {
  for (size_t n = 0; n < lines.size(); n++) {
    std::string l = lines[n];
    size_t e = l.find_last_not_of(" \t");
    if (e == std::string::npos) continue;
    size_t gt = l.find_last_of('>', e);
    if (gt == std::string::npos || l.find_first_not_of("-+0123456789", gt + 1) <= e) continue;
    size_t before = l.find_last_not_of(" \t", gt == 0 ? 0 : gt - 1);
    if (gt == 0 || before == std::string::npos || (l[before] != ':' && l[before] != '-')) continue;
    size_t base = l.find_first_not_of(" \t");
    size_t last = n;
    for (size_t k = n + 1; k < lines.size(); k++) {
      size_t ind = lines[k].find_first_not_of(" \t");
      if (ind == std::string::npos) continue;
      if (ind <= base) break;
      last = k;
    }
    for (size_t k = n + 1; k < last; k++)
      if (lines[k].find_first_not_of(" \t") != std::string::npos) lines[k] += " \\";
    n = last;
  }
  return lines;
}

// GitHub Actions job containers and services: container: {image, options: --privileged ...}
// are `docker create` options.
void check_container_options(FindingSink& sink, const YAML::Node& n) {
  if (n.IsMap()) {
    const YAML::Node image = n["image"];
    const YAML::Node options = n["options"];
    if (image && options && options.IsScalar())
      check_run_option_string(sink, options.Scalar(), options.Mark().line + 1, "job container " + image.as<std::string>(""));
    for (const auto& kv : n) check_container_options(sink, kv.second);
  } else if (n.IsSequence()) {
    for (const auto& item : n) check_container_options(sink, item);
  }
}

void lint_yaml(FindingSink& sink, const std::string& text, const std::vector<std::string>& lines,
               std::vector<LintError>& errors) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    errors.push_back({sink.file(), e.mark.line >= 0 ? e.mark.line + 1 : 0, "malformed YAML: " + e.msg});
    return;
  }
  // Refused, not truncated: a partial walk would report a hostile file clean.
  if (std::string why = yaml_over_budget(docs); !why.empty()) {
    errors.push_back({sink.file(), 0, why});
    return;
  }
  bool structured = false;
  for (const auto& doc : docs) {
    if (is_kubernetes_object(doc)) {
      check_kubernetes_object(sink, doc);
      structured = true;
    } else if (is_compose_file(doc)) {
      check_compose_file(sink, doc);
      structured = true;
    }
  }
  // CI configs (GitHub workflows, .gitlab-ci.yml, ...): their commands are text.
  if (structured) return;
  check_text_file(sink, join_folded_blocks(lines));
  for (const auto& doc : docs) check_container_options(sink, doc);
}

}  // namespace

FileKind file_kind(const std::string& path, bool named_explicitly) {
  std::string name = fs::path(path).filename().string();
  std::string parent = fs::path(path).parent_path().filename().string();
  if (ends_with(name, ".yml") || ends_with(name, ".yaml")) return FileKind::Yaml;
  if (name == "daemon.json") return FileKind::DaemonJson;
  bool drop_in = ends_with(name, ".conf") && (ends_with(parent, ".service.d") || ends_with(parent, ".socket.d"));
  if (ends_with(name, ".service") || ends_with(name, ".socket") || drop_in) return FileKind::Systemd;
  for (const char* ext : {".sh", ".bash", ".ksh", ".zsh", ".mk", ".groovy", ".jenkinsfile", ".env"})
    if (ends_with(name, ext)) return FileKind::Text;
  if (name == "Makefile" || name == "makefile" || name == "GNUmakefile" || name.rfind("Jenkinsfile", 0) == 0 ||
      name == ".env")
    return FileKind::Text;
  if (name.find('.') == std::string::npos && has_shell_shebang(path)) return FileKind::Text;
  return named_explicitly ? FileKind::Text : FileKind::Skip;
}

void lint_file(const std::string& path, FileKind kind, LintResult& result, bool walked) {
  // A file found by walking a directory is opened without following a
  // symlink (swapped in after the walk saw a regular file) and without
  // blocking (a FIFO swapped in): a repository must not make lint read
  // files outside it. A path named on the command line is the user's choice.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (walked ? O_NOFOLLOW | O_NONBLOCK : 0));
  if (fd < 0) {
    result.errors.push_back({path, 0, std::string("cannot read: ") + std::strerror(errno)});
    return;
  }
  struct stat st {};
  if (walked && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    ::close(fd);
    result.errors.push_back({path, 0, "cannot read: not a regular file"});
    return;
  }
  std::string text;
  char chunk[65536];
  ssize_t n;
  while ((n = ::read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) text.append(chunk, static_cast<size_t>(n));
  int read_errno = errno;
  ::close(fd);
  if (n < 0) {
    result.errors.push_back({path, 0, std::string("read error: ") + std::strerror(read_errno)});
    return;
  }
  auto lines = split_lines(text);
  result.files_scanned++;
  FindingSink sink(path);
  switch (kind) {
    case FileKind::Yaml: lint_yaml(sink, text, lines, result.errors); break;
    case FileKind::Systemd: check_systemd_unit(sink, lines, fs::path(path).filename().string()); break;
    case FileKind::Text: check_text_file(sink, lines); break;
    case FileKind::DaemonJson: {
      std::string error;
      if (!check_daemon_json(sink, text, lines, error)) result.errors.push_back({path, 0, error});
      break;
    }
    case FileKind::Skip: return;
  }
  auto sups = comment_suppressions(lines, kind == FileKind::Yaml);
  FindingSink bad(path);
  apply_suppressions(sink.findings(), sups, bad);
  for (auto& f : sink.findings()) result.findings.push_back(std::move(f));
  for (auto& f : bad.findings()) result.findings.push_back(std::move(f));
}

LintResult lint_paths(const std::vector<std::string>& paths) {
  LintResult result;
  for (const auto& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      result.errors.push_back({p, 0, "cannot read: " + (ec ? ec.message() : std::string("no such file or directory"))});
      continue;
    }
    if (!fs::is_directory(st)) {
      lint_file(p, file_kind(p, true), result);
      continue;
    }
    std::vector<std::string> files;
    fs::recursive_directory_iterator it(p, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      // symlink_status: a symlink in the tree (to /etc/shadow, to /) is
      // neither read nor walked; the iterator does not descend into
      // symlinked directories (directory_options::none).
      std::error_code sec;
      auto type = it->symlink_status(sec).type();
      if (type == fs::file_type::directory && it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (!sec && type == fs::file_type::regular) {
        std::string f = it->path().string();
        if (file_kind(f, false) != FileKind::Skip) files.push_back(f);
      }
    }
    if (ec) result.errors.push_back({p, 0, "cannot walk: " + ec.message()});
    std::sort(files.begin(), files.end());
    for (const auto& f : files) lint_file(f, file_kind(f, false), result, true);
  }
  std::stable_sort(result.findings.begin(), result.findings.end(), [](const LintFinding& a, const LintFinding& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.rule_id < b.rule_id;
  });
  return result;
}

}  // namespace sockwarden::lint
