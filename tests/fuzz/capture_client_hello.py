# Accepts one connection on 127.0.0.1:PORT, stores the first TLS record(s) of the
# client (until the ClientHello handshake message is complete) in OUT, then closes.
import socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.settimeout(5)
data = b""
def need():
    # bytes of complete records whose handshake payload covers the first message
    off, hs = 0, b""
    while off + 5 <= len(data):
        n = int.from_bytes(data[off+3:off+5], "big")
        if off + 5 + n > len(data): return False
        hs += data[off+5:off+5+n]; off += 5 + n
        if len(hs) >= 4 and len(hs) >= 4 + int.from_bytes(hs[1:4], "big"):
            globals()["data"] = data[:off]; return True
    return False
while not need():
    b = c.recv(65536)
    if not b: break
    data += b
open(out, "wb").write(data); c.close(); s.close()
print(out, len(data))
