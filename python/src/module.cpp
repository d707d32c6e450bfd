// numforge._core: the bit-accurate models of the numforge units on NumPy code arrays. The package numforge
// (python/numforge/__init__.py) wraps it with dtype handling, PyTorch tensors, axes and random bits.
#include <pybind11/stl.h>

#include "python/src/binding.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "numforge bit-accurate models (the C++ refmodels the generated RTL is co-simulated against)";
  nf::py::bindFormat(m);
  nf::py::bindElementwise(m);
  nf::py::bindBlock(m);
  nf::py::bindArith(m);
  m.def("set_num_threads", &nf::py::setThreadCount, pybind11::arg("n"));
  m.def("get_num_threads", &nf::py::threadCount);
}
