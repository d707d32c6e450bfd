// Every numforge command, in the order `numforge --help` lists them. Adding a command: a file
// cli/cmd_<name>.cpp defining `std::unique_ptr<Command> make<Name>Command()`, and one X(<Name>) line here
// (cli/CMakeLists.txt picks up every cli/*.cpp).
#pragma once

#include <memory>

#include "cli/common.h"

#define NF_CLI_COMMANDS(X) \
  X(Formats)               \
  X(Presets)               \
  X(Gen)                   \
  X(Eval)                  \
  X(Verify)                \
  X(Ppa)                   \
  X(Accuracy)              \
  X(Catalog)               \
  X(Regress)               \
  X(Sweep)

namespace nf::cli {
#define NF_DECLARE_COMMAND(Name) std::unique_ptr<Command> make##Name##Command();
NF_CLI_COMMANDS(NF_DECLARE_COMMAND)
#undef NF_DECLARE_COMMAND
}  // namespace nf::cli
