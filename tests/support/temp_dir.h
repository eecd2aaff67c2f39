// A private scratch directory for one test: logs of the processes it starts and the
// configuration files it writes.
#pragma once

#include <filesystem>
#include <string>

namespace weir::test {

// Created with mkdtemp under $TMPDIR (or /tmp), named after the running test. Removed
// recursively by the destructor unless the environment variable WEIR_KEEP_TEST_DIRS
// is set, in which case its path is printed so that logs can be read afterwards.
// Destroy it after the processes that write into it (declare it first in a test).
class TempDir {
 public:
  TempDir();
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // path() / relative, after creating its parent directories.
  std::filesystem::path file(const std::string& relative) const;

  // A subdirectory that did not exist before: path()/stem, path()/stem-2, ...
  std::filesystem::path freshSubdir(const std::string& stem) const;

 private:
  std::filesystem::path path_;
};

// Writes `text` to `file` (truncating it). Throws std::runtime_error on failure.
void writeTextFile(const std::filesystem::path& file, const std::string& text);

// Replaces `file` the way careful editors do: write `text` to a sibling whose name does
// not end in .yaml, then rename it over `file`. A reader sees the old or the new file,
// never half of one, and a watcher of `file`'s directory sees one IN_MOVED_TO.
void replaceFile(const std::filesystem::path& file, const std::string& text);

// The whole content of `file`; "" if it cannot be read.
std::string readTextFile(const std::filesystem::path& file);

}  // namespace weir::test
