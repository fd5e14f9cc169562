// A small shell word splitter that keeps each word's line number: quotes,
// backslash escapes, backslash-newline continuations and '#' comments, with
// command separators (; & | ( ) ` $( and newlines) as boundary tokens. Good
// enough to find `docker run` flags in scripts, Makefiles and CI YAML; it is
// not a shell (no expansion, no here-docs).
#pragma once
#include <string>
#include <vector>

namespace sockwarden::lint {

struct Token {
  std::string text;  // quotes removed
  int line = 0;      // 1-based line where the word starts
  bool boundary = false;
  bool quoted = false;  // came (partly) from quotes: may hold a whole command
};

// lines: the file's lines; first_line: the line number of lines[0].
std::vector<Token> shell_tokens(const std::vector<std::string>& lines, int first_line = 1);

// One string (a YAML scalar, a quoted `sh -c` argument) starting at `line`.
std::vector<Token> shell_tokens(const std::string& text, int line);

}  // namespace sockwarden::lint
