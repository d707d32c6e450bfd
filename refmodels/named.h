// Enumerations that are spelled as words (rounding modes, scale rules, non-finite kinds): one table of
// (value, word) per enumeration gives both its name and its parser, so the two cannot disagree.
#pragma once

#include <cstddef>
#include <string>

namespace nf {

template <class E>
struct Named {
  E value;
  const char* word;
};

template <class E, size_t N>
constexpr const char* wordOf(const Named<E> (&table)[N], E value) {
  for (const Named<E>& n : table)
    if (n.value == value) return n.word;
  return "?";
}

// Leaves `out` alone unless `s` is one of the table's words.
template <class E, size_t N>
bool parseWord(const Named<E> (&table)[N], const std::string& s, E& out) {
  for (const Named<E>& n : table)
    if (s == n.word) {
      out = n.value;
      return true;
    }
  return false;
}

}  // namespace nf
