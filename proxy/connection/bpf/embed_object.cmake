# cmake -DINPUT=prog.bpf.o -DOUTPUT=prog.cc -DSYMBOL=kName -P embed_object.cmake
# Writes the BPF object as a byte array that the weir binary carries, so that it
# loads its program without any file beside it.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by embed_object.cmake; do not edit.
#include <cstddef>

namespace weir::proxy {
extern const unsigned char ${SYMBOL}[];
extern const size_t ${SYMBOL}Size;
alignas(8) const unsigned char ${SYMBOL}[] = {
  ${bytes}
};
const size_t ${SYMBOL}Size = ${size};
}  // namespace weir::proxy
")
