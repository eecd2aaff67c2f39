// A socket's pending error, as a non-blocking connect reports its outcome.
#pragma once

namespace weir {

// The socket's pending error (SO_ERROR: a failed connect, ECONNRESET after a
// reset), 0 if none; reading it clears it. errno if the socket cannot be asked.
int pendingSocketError(int fd);

}  // namespace weir
