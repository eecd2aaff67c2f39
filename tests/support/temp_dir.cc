#include "temp_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace weir::test {
namespace {

// "Suite.Name" of the running test with anything but [A-Za-z0-9_.-] replaced, so
// that the directory name says which test left it behind.
std::string currentTestLabel() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string label = info == nullptr
                          ? std::string("no-test")
                          : std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : label) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-';
    if (!keep) c = '_';
  }
  if (label.size() > 80) label.resize(80);
  return label;
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string root = (base != nullptr && *base != '\0') ? base : "/tmp";
  std::string pattern = root + "/weir-" + currentTestLabel() + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("mkdtemp(" + pattern + "): " + std::strerror(errno));
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  if (std::getenv("WEIR_KEEP_TEST_DIRS") != nullptr) {
    std::cerr << "[weir-test] kept test directory " << path_ << "\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::file(const std::string& relative) const {
  std::filesystem::path full = path_ / relative;
  std::filesystem::create_directories(full.parent_path());
  return full;
}

std::filesystem::path TempDir::freshSubdir(const std::string& stem) const {
  for (int attempt = 1; attempt <= 1000; ++attempt) {
    std::filesystem::path candidate =
        path_ / (attempt == 1 ? stem : stem + "-" + std::to_string(attempt));
    if (std::filesystem::create_directory(candidate)) {
      return candidate;
    }
  }
  throw std::runtime_error("no free subdirectory name for " + stem + " in " + path_.string());
}

void writeTextFile(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw std::runtime_error("cannot write " + file.string());
  }
}

void replaceFile(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::path aside = file;
  aside += ".writing";
  writeTextFile(aside, text);
  std::error_code error;
  std::filesystem::rename(aside, file, error);
  if (error) {
    throw std::runtime_error("rename " + aside.string() + " -> " + file.string() + ": " +
                             error.message());
  }
}

std::string readTextFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace weir::test
