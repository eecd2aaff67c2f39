// Reading protobuf scalar fields (bool, int32, uint32, double) out of YAML with the
// ranges their proto types allow, as Istio's Kubernetes schema does before its
// validation sees them. A value outside the type's range is an error here; what
// Istio's validation then checks (non-negative, a percentage) is the caller's.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "config/field_reader.h"

namespace weir::config {

// true or false in YAML 1.2's spellings (true, True, TRUE, ...).
std::optional<bool> readBool(const FieldReader& field);
// A protobuf int32: -2^31..2^31-1.
std::optional<int32_t> readInt32(const FieldReader& field);
// A protobuf uint32 (also UInt32Value): 0..2^32-1.
std::optional<uint32_t> readUint32(const FieldReader& field);
// A protobuf double (also DoubleValue): a decimal number such as 5, 5.0 or -0.1.
std::optional<double> readDouble(const FieldReader& field);
// A protobuf Duration that Istio checks no further (a cookie's ttl, a retry budget's
// interval): any Go duration, "0s" and negative ones included.
std::optional<std::chrono::nanoseconds> readProtoDuration(const FieldReader& field);
// An int32 percentage, checked as Istio's ValidatePercent: "percentage 105 is not
// in range 0..100".
std::optional<int32_t> readPercent(const FieldReader& field);

}  // namespace weir::config
