#include "echo/address_text.h"

namespace weir::echo {

std::string addressText(const SocketAddress& address) {
  return address.isUnix() ? "unix:" + address.toString() : address.toString();
}

}  // namespace weir::echo
