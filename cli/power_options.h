// The sign-off options of `ppa` (OpenSTA timing at --clock-ps) and the gate-level option of `verify`
// (--netlist), kept apart from main.cpp so each command file can take its part.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "generators/unit.h"
#include "synth/ppa.h"
#include "verif/sim_build.h"

namespace nf::cli {

struct SignoffOptions {
  std::string clockPs;  // as given; empty: the clock is the netlist's own worst path
};

void addPpaSignoffOptions(CLI::App& ppa, SignoffOptions& o);
// Before any synthesis: UsageError naming the option for a bad value.
void checkSignoffOptions(const SignoffOptions& o);

// Times the netlist of `ppa` with OpenSTA and prints the figures as text, or adds them to *json under
// "signoff". Throws UsageError for a bad --clock-ps (exit 2), PpaError when OpenSTA fails.
void runPpaSignoff(const Unit& unit, const synth::PpaResult& ppa, const synth::PpaOptions& ppaOptions,
                   const SignoffOptions& o, std::ostream& text, nlohmann::json* json);

void addVerifyNetlistOption(CLI::App& verify, bool& netlist);

// Synthesizes the unit and points build at its mapped netlist and the liberty's cell models, so co-simulation
// runs the netlist through the same harness as the RTL.
void useMappedNetlist(const Unit& unit, verif::BuildOptions& build);

}  // namespace nf::cli
