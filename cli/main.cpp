// numforge: one subcommand per file (cli/cmd_*.cpp, listed in cli/commands.h); main only parses and
// dispatches. Every operator command builds its unit through the operator's factory, so bad input is rejected
// identically everywhere (exit status 2).
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "generators/version.h"

using namespace nf;
using namespace nf::cli;

namespace {

// CLI11 would only say "a subcommand is required" for an unknown operator; name it and the choices instead.
bool rejectUnknownOperator(int argc, char** argv, const std::vector<std::unique_ptr<Command>>& commands,
                           const std::vector<CLI::App*>& subcommands) {
  if (argc < 3 || argv[2][0] == '-') return false;
  const std::string cmd = argv[1], op = argv[2];
  for (size_t i = 0; i < commands.size(); ++i) {
    if (subcommands[i]->get_name() != cmd || !commands[i]->takesOperator()) continue;
    std::string names;
    bool known = false;
    for (const auto& f : makeOperatorFactories()) {
      names += (names.empty() ? "" : ", ") + f->name();
      known = known || f->name() == op;
    }
    if (known) return false;
    std::cerr << fmt::format("numforge: error: unknown operator '{}' for {}; accepted: {}\n", op, cmd, names);
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"numforge: generates floating-point RTL, its bit-accurate model and its PPA"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kNumforgeVersion);

  std::vector<std::unique_ptr<Command>> commands;
#define NF_MAKE_COMMAND(Name) commands.push_back(make##Name##Command());
  NF_CLI_COMMANDS(NF_MAKE_COMMAND)
#undef NF_MAKE_COMMAND
  std::vector<CLI::App*> subcommands;
  for (const auto& c : commands) subcommands.push_back(c->add(app));

  if (rejectUnknownOperator(argc, argv, commands, subcommands)) return kExitBadInput;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "numforge: error: " << e.what() << "\n";
    std::cerr << "Run with --help for the accepted options.\n";
    return kExitBadInput;
  }
  for (size_t i = 0; i < commands.size(); ++i)
    if (subcommands[i]->parsed()) return runMappingFailures([&] { return commands[i]->run(); });
  return kExitOk;
}
