#include "config/diagnostics.h"

#include <utility>

namespace weir::config {

std::string formatPosition(const SourcePosition& position) {
  return position.file + ":" + std::to_string(position.line) + ":" +
         std::to_string(position.column);
}

std::string Diagnostic::toString() const {
  std::string text = formatPosition(position) + ": ";
  if (!field.empty()) {
    text += field + ": ";
  }
  return text + message;
}

void Diagnostics::error(const FieldRef& at, std::string message) {
  errors.push_back(Diagnostic{at.position, at.field, std::move(message)});
}

void Diagnostics::warning(const FieldRef& at, std::string message) {
  warnings.push_back(Diagnostic{at.position, at.field, std::move(message)});
}

void Diagnostics::danglingReference(const FieldRef& at, std::string message) {
  if (strict_references) {
    error(at, std::move(message));
  } else {
    warning(at, std::move(message));
  }
}

}  // namespace weir::config
