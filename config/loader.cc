// config::load(): files -> YAML trees -> parsed objects -> linked RouteTable.
#include "config/loader.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/diagnostics.h"
#include "config/document_parser.h"
#include "config/istio_objects.h"
#include "config/linker.h"
#include "config/yaml_tree.h"

namespace weir::config {
namespace {

namespace fs = std::filesystem;

// Problems with the whole load rather than with one field are reported at the top
// of a file, with this in place of a field path.
constexpr const char* kWholeConfig = "(config)";

FieldRef fileRef(const std::string& file) { return FieldRef{SourcePosition{file, 1, 1}, kWholeConfig}; }

bool isYamlFile(const fs::directory_entry& entry) {
  std::error_code error;
  if (!entry.is_regular_file(error)) {
    return false;
  }
  const std::string extension = entry.path().extension().string();
  return extension == ".yaml" || extension == ".yml";
}

// A path, or for a directory its *.yaml and *.yml files in name order.
std::vector<std::string> expandPath(const std::string& path, Diagnostics& diagnostics) {
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    return {path};
  }
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (isYamlFile(entry)) {
      files.push_back((fs::path(path) / entry.path().filename()).string());
    }
  }
  if (error) {
    diagnostics.error(fileRef(path), "cannot list directory: " + error.message());
    return {};
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    diagnostics.error(fileRef(path), "no *.yaml or *.yml files in this directory");
  }
  return files;
}

std::optional<std::string> readFile(const std::string& path, Diagnostics& diagnostics) {
  std::ifstream input(path, std::ios::binary);
  if (!input) {
    const std::error_code error(errno, std::generic_category());
    diagnostics.error(fileRef(path), "cannot read file: " + error.message());
    return std::nullopt;
  }
  std::ostringstream text;
  text << input.rdbuf();
  if (input.bad()) {
    diagnostics.error(fileRef(path), "cannot read file");
    return std::nullopt;
  }
  return text.str();
}

// Errors in file order (the order files were given), then by position; the stable
// sort keeps the order of several messages at one position.
void sortByFile(std::vector<Diagnostic>& diagnostics, const std::vector<std::string>& files) {
  auto fileIndex = [&](const std::string& file) {
    return std::find(files.begin(), files.end(), file) - files.begin();
  };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) {
                     const auto a_file = fileIndex(a.position.file);
                     const auto b_file = fileIndex(b.position.file);
                     if (a_file != b_file) {
                       return a_file < b_file;
                     }
                     if (a.position.line != b.position.line) {
                       return a.position.line < b.position.line;
                     }
                     return a.position.column < b.position.column;
                   });
}

LoadResult loadDocuments(const std::vector<NamedYaml>& documents, Diagnostics diagnostics,
                         const std::string& first_path) {
  ParsedConfig config;
  std::vector<std::string> files;
  for (const NamedYaml& document : documents) {
    files.push_back(document.name);
    const ReadContext context{document.name, &diagnostics};
    const YamlStream stream = parseYamlStream(document.text);
    for (const YamlNode& root : stream.documents) {
      parseDocument(root, context, config);
    }
    if (stream.error) {
      diagnostics.error(FieldRef{SourcePosition{document.name, stream.error->position.line,
                                                stream.error->position.column},
                                 "(yaml)"},
                        stream.error->message);
    }
  }

  // Nothing to serve is valid Istio (objects without a Gateway, HTTP servers, TLS
  // to terminate), so it is a warning, not an error: the proxy starts, listens on
  // nothing, and a reload may bring something it can serve.
  RouteTable table = link(config, diagnostics);
  if (diagnostics.hasErrors()) {
    // the errors say more (a file that could not be read may hold the Gateway)
  } else if (!config.saw_gateway) {
    diagnostics.warning(fileRef(first_path),
                        "no Gateway in the configuration: Weir has nothing to serve");
  } else if (table.listeners.empty()) {
    diagnostics.warning(fileRef(first_path),
                        "no server in the configuration is one Weir serves (TCP, or TLS in "
                        "mode PASSTHROUGH): Weir has nothing to serve");
  }

  LoadResult result;
  sortByFile(diagnostics.errors, files);
  sortByFile(diagnostics.warnings, files);
  result.errors = std::move(diagnostics.errors);
  result.warnings = std::move(diagnostics.warnings);
  if (result.errors.empty()) {
    table.source_files = std::move(files);
    result.table = std::make_shared<const RouteTable>(std::move(table));
  }
  return result;
}

}  // namespace

LoadResult load(const std::vector<std::string>& paths, const LoadOptions& options) {
  if (paths.empty()) {
    LoadResult result;
    result.errors.push_back(
        Diagnostic{SourcePosition{"", 1, 1}, kWholeConfig, "no configuration files given"});
    return result;
  }
  Diagnostics diagnostics;
  diagnostics.strict_references = options.strict_references;
  std::vector<NamedYaml> documents;
  for (const std::string& path : paths) {
    for (const std::string& file : expandPath(path, diagnostics)) {
      if (std::optional<std::string> text = readFile(file, diagnostics)) {
        documents.push_back(NamedYaml{file, std::move(*text)});
      }
    }
  }
  const std::string first_path = documents.empty() ? paths.front() : documents.front().name;
  return loadDocuments(documents, std::move(diagnostics), first_path);
}

LoadResult loadFromText(const std::vector<NamedYaml>& documents, const LoadOptions& options) {
  Diagnostics diagnostics;
  diagnostics.strict_references = options.strict_references;
  return loadDocuments(documents, std::move(diagnostics),
                       documents.empty() ? std::string() : documents.front().name);
}

}  // namespace weir::config
