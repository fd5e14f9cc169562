#include "lint/text_check.h"

#include <regex>

#include "lint/container_cli.h"
#include "lint/rules.h"
#include "lint/shell_tokens.h"

namespace sockwarden::lint {

namespace {

// True when `pos` on the line is inside a '#' comment (a '#' at a word start before it).
bool in_comment(const std::string& l, size_t pos) {
  for (size_t i = 0; i < pos && i < l.size(); i++)
    if (l[i] == '#' && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t')) return true;
  return false;
}

}  // namespace

void check_docker_host_lines(FindingSink& sink, const std::vector<std::string>& lines) {
  static const std::regex kHost(R"(DOCKER_HOST["']?\s*[=:]\s*["']?(tcp://[^\s"'`;]*))");
  static const std::regex kVerify(R"(DOCKER_TLS_VERIFY["']?\s*[=:]\s*["']?(1|true|True|TRUE|yes)\b)");
  bool verify = false;
  for (const auto& l : lines) {
    std::smatch m;
    if (std::regex_search(l, m, kVerify) && !in_comment(l, static_cast<size_t>(m.position(0)))) verify = true;
  }
  if (verify) return;
  for (size_t n = 0; n < lines.size(); n++) {
    std::smatch m;
    if (!std::regex_search(lines[n], m, kHost) || in_comment(lines[n], static_cast<size_t>(m.position(0)))) continue;
    sink.add(static_cast<int>(n + 1), rule::kClientTcp,
             "DOCKER_HOST=" + m[1].str() + " without DOCKER_TLS_VERIFY: plaintext connection to a daemon port");
  }
}

void check_text_file(FindingSink& sink, const std::vector<std::string>& lines) {
  check_command_tokens(sink, shell_tokens(lines));
  check_docker_host_lines(sink, lines);
  // Jenkins pipelines: docker.image('x').inside('-v /var/run/docker.sock:...')
  static const std::regex kJenkins(R"(\.(inside|withRun)\(\s*(['"])(.*?)\2)");
  for (size_t n = 0; n < lines.size(); n++) {
    const std::string& l = lines[n];
    for (auto it = std::sregex_iterator(l.begin(), l.end(), kJenkins); it != std::sregex_iterator(); ++it)
      check_run_option_string(sink, (*it)[3].str(), static_cast<int>(n + 1), "docker.image()." + (*it)[1].str() + "()");
  }
}

}  // namespace sockwarden::lint
