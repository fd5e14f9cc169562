#include "lint/shell_tokens.h"

namespace sockwarden::lint {

std::vector<Token> shell_tokens(const std::vector<std::string>& lines, int first_line) {
  std::vector<Token> out;
  Token cur;
  bool in_word = false;
  auto flush = [&] {
    if (in_word) out.push_back(cur);
    cur = Token{};
    in_word = false;
  };
  auto boundary = [&](int line) {
    flush();
    Token b;
    b.boundary = true;
    b.line = line;
    out.push_back(b);
  };
  char quote = 0;
  for (size_t n = 0; n < lines.size(); n++) {
    const std::string& l = lines[n];
    int line = first_line + static_cast<int>(n);
    size_t i = 0;
    for (; i < l.size(); i++) {
      char c = l[i];
      if (quote) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < l.size()) {
          cur.text += l[++i];
        } else {
          cur.text += c;
        }
        continue;
      }
      if (c == '\\') {
        if (i + 1 >= l.size()) break;  // continuation: the word goes on on the next line
        cur.text += l[++i];
        if (!in_word) cur.line = line;
        in_word = true;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        if (!in_word) cur.line = line;
        in_word = true;
        cur.quoted = true;
        continue;
      }
      if (c == '#' && !in_word) {
        i = l.size();
        break;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        flush();
        continue;
      }
      if (c == '$' && i + 1 < l.size() && l[i + 1] == '(') {
        // $(PWD), $(IMAGE): a one-word substitution (Makefile variables) stays
        // part of the word; $(docker run ...) is a command of its own.
        size_t close = l.find(')', i);
        if (close != std::string::npos && l.find_first_of(" \t", i) > close) {
          if (!in_word) cur.line = line;
          in_word = true;
          cur.text += l.substr(i, close - i + 1);
          i = close;
          continue;
        }
        boundary(line);
        i++;
        continue;
      }
      if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`') {
        boundary(line);
        continue;
      }
      if (!in_word) cur.line = line;
      in_word = true;
      cur.text += c;
    }
    bool continued = !quote && !l.empty() && l.back() == '\\' && (l.size() < 2 || l[l.size() - 2] != '\\');
    if (quote) {
      cur.text += '\n';
    } else if (!continued) {
      boundary(line);
    }
  }
  flush();
  return out;
}

std::vector<Token> shell_tokens(const std::string& text, int line) {
  std::vector<std::string> lines;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    lines.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return shell_tokens(lines, line);
}

}  // namespace sockwarden::lint
