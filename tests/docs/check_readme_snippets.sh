#!/usr/bin/env bash
# Every README code block announced by `<!-- snippet: PATH -->` must appear, line
# for line, in PATH: the README shows exactly what the tests run.
# Usage: check_readme_snippets.sh SOURCE_DIR
set -euo pipefail
cd "$1"
awk '
  function slurp(path,    line, text) {
    text = ""
    while ((getline line < path) > 0) text = text line "\n"
    close(path)
    return text
  }
  /^<!-- snippet: .* -->$/ { path = $3; want = 1; next }
  want && /^```/ { inside = 1; want = 0; block = ""; next }
  inside && /^```/ {
    inside = 0; checked++
    if (index(slurp(path), block) == 0) {
      printf "README snippet not found verbatim in %s:\n%s", path, block > "/dev/stderr"
      failed++
    }
    next
  }
  inside { block = block $0 "\n" }
  END {
    if (checked == 0) { print "no snippets found" > "/dev/stderr"; exit 1 }
    printf "%d README snippet(s) checked, %d missing\n", checked, failed
    exit (failed > 0 ? 1 : 0)
  }
' README.md
