#include "python/src/binding.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "generators/unit.h"

namespace nf::py {

void valueError(const std::string& msg) { throw pyb::value_error(msg); }
void typeError(const std::string& msg) { throw pyb::type_error(msg); }

Rounding parseRoundingArg(const std::string& func, const std::string& s, bool allowSr) {
  Rounding r;
  if (allowSr && s == "sr") return Rounding::SR;
  if (parseRounding(s, r)) return r;
  valueError(fmt::format("{}: rounding '{}' is not accepted; accepted: {}{}", func, s, roundingChoices(),
                         allowSr ? ", sr" : ""));
}

std::vector<std::string> validateUnit(const std::string& func, const std::string& op, const std::vector<std::string>& args,
                                      const std::vector<std::pair<std::string, std::string>>& rename) {
  // A spec validated once is remembered: building a unit constructs its model tables.
  static std::mutex mu;
  static std::map<std::string, std::vector<std::string>> validated;
  std::string key = op;
  for (const std::string& a : args) key += " " + a;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = validated.find(key); it != validated.end()) return it->second;
  }
  try {
    std::vector<std::string> canonical = buildUnit(op, args)->canonicalArgs();
    std::lock_guard<std::mutex> lock(mu);
    return validated[key] = canonical;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    // Longest option names first, so that "--out" does not rewrite part of "--out-x".
    std::vector<std::pair<std::string, std::string>> sorted = rename;
    std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) { return x.first.size() > y.first.size(); });
    for (const auto& [option, arg] : sorted)
      for (size_t at = msg.find(option); at != std::string::npos; at = msg.find(option, at + arg.size()))
        msg.replace(at, option.size(), arg);
    valueError(fmt::format("{}: {}", func, msg));
  }
}

namespace {
std::atomic<int> g_threads{std::clamp(int(std::thread::hardware_concurrency()), 1, 8)};
}

int threadCount() { return g_threads.load(); }
void setThreadCount(int n) {
  if (n < 1 || n > 256) valueError(fmt::format("set_num_threads: n = {} is not accepted; accepted: 1..256", n));
  g_threads = n;
}

void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  grain = std::max<size_t>(grain, 1);
  const size_t threads = std::min<size_t>(size_t(threadCount()), (n + grain - 1) / grain);
  pyb::gil_scoped_release release;
  if (threads <= 1) {
    fn(0, n);
    return;
  }
  // Chunks handed out dynamically so that a slow core does not hold the others up.
  const size_t chunk = std::max(grain, n / (threads * 8) + 1);
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex mu;
  auto worker = [&] {
    for (;;) {
      const size_t begin = next.fetch_add(chunk);
      if (begin >= n) return;
      try {
        fn(begin, std::min(n, begin + chunk));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
        next = n;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

pyb::dtype codeDtype(const Format& f) {
  if (f.width() <= 8) return pyb::dtype::of<uint8_t>();
  if (f.width() <= 16) return pyb::dtype::of<uint16_t>();
  return pyb::dtype::of<uint32_t>();
}

pyb::array newCodes(const Format& f, const std::vector<ssize_t>& shape) { return pyb::array(codeDtype(f), shape); }

std::vector<ssize_t> shapeOf(const pyb::array& a) { return std::vector<ssize_t>(a.shape(), a.shape() + a.ndim()); }

CodeView::CodeView(const pyb::array& a, const std::string& what) {
  const char kind = a.dtype().kind();
  itemsize_ = int(a.itemsize());
  if (kind != 'u' || (itemsize_ != 1 && itemsize_ != 2 && itemsize_ != 4))
    typeError(fmt::format("{}: dtype {} is not accepted; accepted: uint8, uint16, uint32 codes",
                          what, std::string(pyb::str(a.dtype()))));
  if (!(a.flags() & pyb::array::c_style)) typeError(fmt::format("{}: the array must be C-contiguous", what));
  data_ = const_cast<void*>(a.data());
  size_ = size_t(a.size());
}

const uint32_t* srBitsArg(const std::string& func, const pyb::object& bits, size_t n, int width) {
  if (bits.is_none()) return nullptr;
  const pyb::array a = pyb::reinterpret_borrow<pyb::array>(bits);
  if (a.dtype().kind() != 'u' || a.itemsize() != 4 || !(a.flags() & pyb::array::c_style))
    typeError(fmt::format("{}: sr_bits must be a C-contiguous uint32 array", func));
  if (size_t(a.size()) != n)
    valueError(fmt::format("{}: sr_bits has {} values; accepted: one per element ({})", func, a.size(), n));
  const uint32_t* p = static_cast<const uint32_t*>(a.data());
  const uint32_t limit = width >= 32 ? 0xFFFFFFFFu : (1u << width) - 1u;
  for (size_t i = 0; i < n; ++i)
    if (p[i] > limit)
      valueError(fmt::format("{}: sr_bits[{}] = {} does not fit sr_width = {} bits; accepted: 0..{}", func, i, p[i],
                             width, limit));
  return p;
}

}  // namespace nf::py
