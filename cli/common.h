// What every numforge command shares: the Command interface main() dispatches to, the operator subcommands,
// the options several commands take (--threads, --seed, --count), validated once here, writing files without
// leaving partial output, and the mapping of failures to exit statuses.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "generators/unit.h"

namespace nf::cli {

// Exit statuses of every command.
enum ExitStatus : int {
  kExitOk = 0,
  kExitCheckFailed = 1,  // a check failed (a mismatch, stale files) or a tool failed
  kExitBadInput = 2,     // bad input: one message naming the field and the accepted values, no output
};

// Runs a command's body and maps what it throws to an exit status, printing one line to stderr:
// UsageError -> "numforge: error: ..." and 2, any other exception -> "numforge: failed: ..." and 1.
int runMappingFailures(const std::function<int()>& body);

// One numforge command (`numforge <name> ...`). Adding a command is a file cli/cmd_<name>.cpp defining
// `std::unique_ptr<Command> make<Name>Command()` and one line in cli/commands.h.
class Command {
 public:
  virtual ~Command() = default;
  // Declares the subcommand with its options on `app` and returns it.
  virtual CLI::App* add(CLI::App& app) = 0;
  // Runs after a successful parse that chose this command; returns the exit status. Throws UsageError for bad
  // input found after parsing (exit 2) and anything else for a failure (exit 1).
  virtual int run() = 0;
  // True when the first argument after the command name is an operator (gen fmul ...).
  virtual bool takesOperator() const { return false; }
};

// One subcommand per operator under a command (`gen fmul`, `gen fadd`, ...), each with the operator's options.
class OperatorChoice {
 public:
  // `fallthrough`: the command's own options (-o, --exhaustive, ...) may follow the operator's options.
  explicit OperatorChoice(CLI::App& command);
  // The unit the parsed operator options describe; throws UsageError naming the bad field.
  std::unique_ptr<Unit> buildChosen() const;
  // Each operator's subcommand, to add options every operator takes under this command (eval's inputs).
  std::vector<CLI::App*> subcommands() const;

 private:
  struct Entry {
    CLI::App* subcommand;
    std::unique_ptr<OperatorFactory> factory;
  };
  std::vector<Entry> entries_;
};

// A command that takes an operator: `numforge <command> <operator> <operator options> <command options>`.
class OperatorCommand : public Command {
 public:
  bool takesOperator() const override { return true; }

 protected:
  // Adds one subcommand per operator under the command `cmd` (after the command's own options).
  void attachOperators(CLI::App& cmd);
  std::unique_ptr<Unit> buildUnit() const { return operators_->buildChosen(); }
  const OperatorChoice& operators() const { return *operators_; }

 private:
  std::unique_ptr<OperatorChoice> operators_;
};

// The whole of `text` as a number (std::from_chars), or nullopt when it is not one or has trailing characters;
// the caller checks the range and names its option.
std::optional<double> parseWholeNumber(const std::string& text);

// Options several commands take, each declared and range-checked in one place.
CLI::Option* addThreadsOption(CLI::App& cmd, int& threads);    // --threads 0..256, 0 = all cores
CLI::Option* addSeedOption(CLI::App& cmd, uint64_t& seed);     // --seed 0..2^64-1, default 1
CLI::Option* addCountOption(CLI::App& cmd, uint64_t& count);   // --count 0..kMaxCount random vectors
constexpr uint64_t kMaxCount = 1'000'000'000'000ull;           // 10^12: about 7 hours at 40 M vectors/s

// Writes files under a temporary name and renames them into place, so a failure leaves no partial output.
// Throws UsageError naming -o when the directory cannot be created or written.
void writeFilesAtomically(const std::filesystem::path& dir,
                          const std::vector<std::pair<std::string, std::string>>& files);
// A generated module's files: <name>.v and <name>.json.
std::vector<std::pair<std::string, std::string>> moduleFiles(const GeneratedModule& m);

}  // namespace nf::cli
