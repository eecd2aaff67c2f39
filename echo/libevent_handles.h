// Owning handles for the libevent objects the echo tools create: the proxy's
// (proxy/libevent_handles.h), under the names the echo code uses.
#pragma once

#include "proxy/libevent_handles.h"

namespace weir::echo {

using proxy::BufferEventPtr;
using proxy::EventBasePtr;
using proxy::EventPtr;
using ListenerPtr = proxy::ConnListenerPtr;

}  // namespace weir::echo
