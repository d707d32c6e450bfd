// numforge.Format: the C++ Format descriptor itself, with its properties.
#include <fmt/format.h>

#include "python/src/binding.h"

namespace nf::py {

namespace {
Format parseFormatArg(const std::string& spelling) {
  try {
    return parseFormat(spelling);
  } catch (const FormatError& e) {
    valueError(e.what());
  }
}

const char* nonFiniteName(NonFinite n) {
  switch (n) {
    case NonFinite::IEEE: return "ieee";
    case NonFinite::FN: return "fn";
    case NonFinite::FNUZ: return "fnuz";
    default: return "finite";
  }
}

double magValue(const Format& f, uint32_t mag) { return f.toDouble(mag); }
}  // namespace

void bindFormat(pyb::module_& m) {
  pyb::class_<Format>(m, "Format", "A number format: the same descriptor every numforge model and generator uses.")
      .def(pyb::init(&parseFormatArg), pyb::arg("spelling"))
      .def_readonly("name", &Format::name)
      .def_property_readonly("bits", &Format::width)
      .def_property_readonly("kind", [](const Format& f) { return f.isFloat() ? "float" : "int"; })
      .def_readonly("exp_bits", &Format::expBits)
      .def_readonly("man_bits", &Format::manBits)
      .def_readonly("bias", &Format::bias)
      .def_readonly("signed", &Format::isSigned)
      .def_readonly("subnormals", &Format::subnormals)
      .def_property_readonly("specials", [](const Format& f) { return nonFiniteName(f.nonFinite); })
      .def_property_readonly("has_inf", &Format::hasInf)
      .def_property_readonly("has_nan", &Format::hasNaN)
      .def_property_readonly("has_zero", &Format::hasZero)
      .def_property_readonly("has_neg_zero", &Format::hasNegZero)
      .def_property_readonly("emin", [](const Format& f) { return f.isFloat() ? f.emin() : 0; })
      .def_property_readonly("emax", [](const Format& f) { return f.isFloat() ? f.emax() : f.intBits - 1; })
      .def_property_readonly("max", [](const Format& f) {
        if (!f.isFloat()) return double(f.isSigned ? (uint64_t(1) << (f.intBits - 1)) - 1 : (uint64_t(1) << f.intBits) - 1);
        return magValue(f, f.maxFiniteMag());
      })
      .def_property_readonly("min_normal", [](const Format& f) { return f.isFloat() ? magValue(f, f.minNormalMag()) : 1.0; })
      .def_property_readonly("min_subnormal", [](const Format& f) { return f.isFloat() ? magValue(f, f.minSubnormalMag()) : 1.0; })
      .def_property_readonly("max_code", [](const Format& f) { return f.isFloat() ? f.maxFiniteMag() : f.mask(); },
                             "the code of the largest finite value")
      .def_property_readonly("nan_code", [](const Format& f) -> pyb::object {
        if (!f.isFloat() || !f.hasNaN()) return pyb::none();
        return pyb::int_(f.canonicalNaN());
      })
      .def_property_readonly("inf_code", [](const Format& f) -> pyb::object {
        if (!f.isFloat() || !f.hasInf()) return pyb::none();
        return pyb::int_(f.infMag());
      })
      .def_property_readonly("mask", &Format::mask)
      .def_property_readonly("dtype", &codeDtype, "numpy dtype of this format's codes")
      .def("describe", &Format::describe)
      .def("value", [](const Format& f, uint32_t code) {
        if (code > f.mask()) valueError(fmt::format("value: code {:#x} does not fit {} ({} bits)", code, f.name, f.width()));
        return f.toDouble(code);
      }, pyb::arg("code"), "the exact value of one code (NaN for NaN codes)")
      .def("__eq__", [](const Format& a, const Format& b) { return a.name == b.name; })
      .def("__hash__", [](const Format& f) { return std::hash<std::string>()(f.name); })
      .def("__repr__", [](const Format& f) { return fmt::format("numforge.format('{}')", f.name); })
      .def("__str__", [](const Format& f) { return f.name; });
  m.def("format", &parseFormatArg, pyb::arg("spelling"),
        "A format by name: a preset (e4m3, e5m2, bf16, fp16, fp32, e2m1, e8m0, ue4m3, int8, ...) or a custom spelling "
        "such as 'e5m4,bias=12'.");
  m.def("formats", [] {
    std::vector<std::string> names;
    for (const Format& f : presetFormats()) names.push_back(f.name);
    return names;
  }, "the preset format names");
  m.def("format_syntax", &formatSyntaxHelp);
}

}  // namespace nf::py
