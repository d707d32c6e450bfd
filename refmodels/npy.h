// Reading NumPy .npy tensors (numforge accuracy --input).
#pragma once

#include <string>
#include <vector>

namespace nf {

// A .npy file of little-endian float32 ('<f4'), C order, format version 1.0 or 2.0. Throws std::runtime_error
// naming the file and what is wrong (bad magic, another version or dtype, Fortran order, a malformed or
// truncated header, data shorter than the shape); anything else is refused.
std::vector<float> readNpyFloat32(const std::string& path);

}  // namespace nf
