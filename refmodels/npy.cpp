#include "refmodels/npy.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace nf {

namespace {

// The element count of a shape tuple such as "(2, 3)" or "(6,)"; "()" is a scalar.
template <class Fail>
uint64_t shapeElements(const std::string& shape, const Fail& fail) {
  uint64_t count = 1;
  std::string num;
  for (char c : shape.substr(1)) {
    if (c >= '0' && c <= '9') {
      num += c;
    } else if (c == ',' || c == ')') {
      if (!num.empty()) {
        if (num.size() > 12) throw fail("shape too large");
        count *= std::stoull(num);
        num.clear();
      }
    } else if (c != ' ') {
      throw fail("malformed shape " + shape);
    }
  }
  return count;
}

}  // namespace

std::vector<float> readNpyFloat32(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(fmt::format("--input {}: cannot read: {}", path, std::strerror(errno)));
  auto fail = [&](const std::string& why) {
    return std::runtime_error(fmt::format("--input {}: {}; accepted: a .npy file (format 1.0 or 2.0) of "
                                          "little-endian float32 '<f4' in C order",
                                          path, why));
  };
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw fail("not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t headerLen = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!f.read(reinterpret_cast<char*>(b), 2)) throw fail("truncated header");
    headerLen = uint32_t(b[0]) | (uint32_t(b[1]) << 8);
  } else if (major == 2) {
    unsigned char b[4];
    if (!f.read(reinterpret_cast<char*>(b), 4)) throw fail("truncated header");
    headerLen = uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16) | (uint32_t(b[3]) << 24);
  } else {
    throw fail(fmt::format("format version {}.{} is not supported", major, int(static_cast<unsigned char>(magic[7]))));
  }
  if (headerLen > (1u << 20)) throw fail("header too long");
  std::string header(headerLen, '\0');
  if (!f.read(header.data(), headerLen)) throw fail("truncated header");
  auto value = [&](const std::string& key) -> std::string {
    const size_t k = header.find("'" + key + "'");
    if (k == std::string::npos) throw fail("header lacks '" + key + "'");
    size_t p = header.find(':', k);
    if (p == std::string::npos) throw fail("malformed header");
    ++p;
    while (p < header.size() && header[p] == ' ') ++p;
    if (p < header.size() && header[p] == '(') {
      const size_t e = header.find(')', p);
      if (e == std::string::npos) throw fail("malformed shape");
      return header.substr(p, e - p + 1);
    }
    size_t e = p;
    while (e < header.size() && header[e] != ',' && header[e] != '}') ++e;
    std::string v = header.substr(p, e - p);
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
  };
  const std::string descr = value("descr");
  if (descr != "'<f4'") throw fail("dtype " + descr + " is not '<f4'");
  const std::string order = value("fortran_order");
  if (order != "False") throw fail("Fortran order is not supported");
  const uint64_t count = shapeElements(value("shape"), fail);
  if (count > (uint64_t(1) << 33)) throw fail("more than 2^33 elements");
  std::vector<float> v(static_cast<size_t>(count));
  if (!f.read(reinterpret_cast<char*>(v.data()), std::streamsize(count * 4)))
    throw fail(fmt::format("data shorter than the shape's {} elements", count));
  return v;
}

}  // namespace nf
