// The SystemC model of a unit: an SC_MODULE with the RTL's ports (same names, widths and clocking), computing
// with the unit's bit-accurate model, so it can stand in for the RTL in a virtual platform before RTL exists.
// Written from the Unit's port lists and latency alone: one writer for every operator.
#pragma once

#include <string>

#include "generators/unit.h"

namespace nf {

// The SystemC type of a port of `width` bits: bool (1 bit, as Verilator --sc), sc_dt::sc_uint<W> up to 64 bits,
// sc_dt::sc_biguint<W> above.
std::string systemcPortType(int width);

// C++ statements (each line starting with `indent`) that copy a port's SystemC value `value` into model words
// words[first...] (32 bits each, least significant first), and model words into a port or signal `target`.
std::string systemcReadWords(const PortInfo& p, const std::string& value, const std::string& words, size_t first,
                             const std::string& indent);
std::string systemcWriteWords(const PortInfo& p, const std::string& words, size_t first, const std::string& target,
                              const std::string& indent);

// "<module>_sc", the SC_MODULE's name and its header's stem.
std::string systemcModuleName(const Unit& unit);

// The text of <module>_sc.h, self-contained: it needs the SystemC headers and the numforge model library
// (nf_generators and nf_refmodels, with fmt), nothing else. Combinational units evaluate on every input change;
// clocked ones have clk, rst (synchronous, active high), valid_in and valid_out and show each result after
// latency() rising edges, as the RTL does; stateful units step their StreamModel once per valid input (reset on
// rst). Throws UsageError for units whose outputs do not follow their inputs cycle for cycle (streamGroup() > 1)
// or stateful units without a clock edge between input and output (latency 0).
std::string systemcHeader(const Unit& unit);

}  // namespace nf
