// Shared plumbing of the numforge Python module: argument checking that raises Python exceptions naming the
// argument, contiguous array access, the thread pool that splits large arrays (the GIL released), and the
// validation of function options through the same factories the CLI uses.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf::py {

namespace pyb = pybind11;

// ValueError / TypeError with the message as given (callers name the argument and the accepted values).
[[noreturn]] void valueError(const std::string& msg);
[[noreturn]] void typeError(const std::string& msg);

// "rne", "rtz", ... (and "sr" when allowSr) for argument `arg` of `func`.
Rounding parseRoundingArg(const std::string& func, const std::string& s, bool allowSr);

// Validates function options exactly as `numforge gen <op> <args>` would and returns the unit's canonical
// arguments; a bad option becomes a ValueError "<func>: <message>" with the CLI option names replaced by the
// Python argument names in `rename` (pairs "--out" -> "elem").
std::vector<std::string> validateUnit(const std::string& func, const std::string& op, const std::vector<std::string>& args,
                                      const std::vector<std::pair<std::string, std::string>>& rename);

// Threads used for large arrays (default: the machine's cores, at most 8).
int threadCount();
void setThreadCount(int n);
// Runs fn(begin, end) over [0, n) in chunks of at least `grain` items across threadCount() threads, the GIL
// released; a C++ exception in any chunk is rethrown here after all threads finish.
void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);

// The numpy dtype of a format's codes: uint8, uint16 or uint32 by width.
pyb::dtype codeDtype(const Format& f);
// A new C-contiguous array of `shape` holding f's codes.
pyb::array newCodes(const Format& f, const std::vector<ssize_t>& shape);
std::vector<ssize_t> shapeOf(const pyb::array& a);

// Reads / writes element i of a contiguous unsigned-integer code array (uint8/16/32) whatever its width.
class CodeView {
 public:
  CodeView(const pyb::array& a, const std::string& what);  // TypeError unless a C-contiguous uint8/16/32 array
  uint32_t operator[](size_t i) const {
    switch (itemsize_) {
      case 1: return static_cast<const uint8_t*>(data_)[i];
      case 2: return static_cast<const uint16_t*>(data_)[i];
      default: return static_cast<const uint32_t*>(data_)[i];
    }
  }
  void set(size_t i, uint32_t v) const {
    switch (itemsize_) {
      case 1: static_cast<uint8_t*>(data_)[i] = uint8_t(v); break;
      case 2: static_cast<uint16_t*>(data_)[i] = uint16_t(v); break;
      default: static_cast<uint32_t*>(data_)[i] = v; break;
    }
  }
  // Elements [i, i + n) from 32-bit values (the width switch outside the loop, which then vectorizes).
  void setRange(size_t i, const uint32_t* v, size_t n) const {
    switch (itemsize_) {
      case 1: std::copy(v, v + n, static_cast<uint8_t*>(data_) + i); break;
      case 2: std::copy(v, v + n, static_cast<uint16_t*>(data_) + i); break;
      default: std::copy(v, v + n, static_cast<uint32_t*>(data_) + i); break;
    }
  }
  size_t size() const { return size_; }
  int itemsize() const { return itemsize_; }
  void* data() const { return data_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
  int itemsize_ = 0;
};

// Optional explicit stochastic-rounding bits: None, or a uint32 array of `n` values below 2^width.
const uint32_t* srBitsArg(const std::string& func, const pyb::object& bits, size_t n, int width);

void bindFormat(pyb::module_& m);
void bindElementwise(pyb::module_& m);
void bindBlock(pyb::module_& m);
void bindArith(pyb::module_& m);

}  // namespace nf::py
