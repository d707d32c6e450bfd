#include "cli/common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>

#include "generators/common_options.h"

namespace fs = std::filesystem;

namespace nf::cli {

int runMappingFailures(const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& e) {
    std::cerr << "numforge: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "numforge: failed: " << e.what() << "\n";
    return kExitCheckFailed;
  }
}

OperatorChoice::OperatorChoice(CLI::App& command) {
  for (auto& f : makeOperatorFactories()) {
    CLI::App* sub = command.add_subcommand(f->name(), f->summary());
    f->addOptions(*sub);
    sub->fallthrough();  // command options (-o, --exhaustive, ...) may follow the operator options
    entries_.push_back({sub, std::move(f)});
  }
  command.require_subcommand(1);
}

std::unique_ptr<Unit> OperatorChoice::buildChosen() const {
  for (const Entry& e : entries_)
    if (e.subcommand->parsed()) return e.factory->build();
  throw UsageError("no operator given");
}

std::vector<CLI::App*> OperatorChoice::subcommands() const {
  std::vector<CLI::App*> v;
  for (const Entry& e : entries_) v.push_back(e.subcommand);
  return v;
}

void OperatorCommand::attachOperators(CLI::App& cmd) { operators_ = std::make_unique<OperatorChoice>(cmd); }

std::optional<double> parseWholeNumber(const std::string& text) {
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

CLI::Option* addThreadsOption(CLI::App& cmd, int& threads) {
  return cmd.add_option("--threads", threads, "worker threads (default: all cores)")->check(integerIn(0, 256));
}

CLI::Option* addSeedOption(CLI::App& cmd, uint64_t& seed) {
  return cmd.add_option("--seed", seed, "random seed")->default_str("1")->check(integerIn(0, UINT64_MAX));
}

CLI::Option* addCountOption(CLI::App& cmd, uint64_t& count) {
  return cmd.add_option("--count", count, "random vectors after the corner cases")->check(integerIn(0, kMaxCount));
}

void writeFilesAtomically(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw UsageError(fmt::format("-o {}: cannot create the output directory: {}", dir.string(),
                                 ec ? ec.message() : "not a directory"));
  std::vector<fs::path> temps;
  auto cleanup = [&] {
    for (const fs::path& t : temps) fs::remove(t, ec);
  };
  for (const auto& [name, text] : files) {
    const fs::path tmp = dir / fmt::format(".{}.tmp.{}", name, ::getpid());
    std::ofstream f(tmp, std::ios::binary);
    if (f) temps.push_back(tmp);
    f << text;
    f.close();
    if (!f) {
      cleanup();
      throw UsageError(fmt::format("-o {}: cannot write {}: {}", dir.string(), name, std::strerror(errno)));
    }
  }
  for (size_t i = 0; i < files.size(); ++i) {
    fs::rename(temps[i], dir / files[i].first, ec);
    if (ec) {
      cleanup();
      throw UsageError(fmt::format("-o {}: cannot rename into {}: {}", dir.string(), files[i].first, ec.message()));
    }
  }
}

std::vector<std::pair<std::string, std::string>> moduleFiles(const GeneratedModule& m) {
  return {{m.name + ".v", m.verilog}, {m.name + ".json", m.manifest.dump(2) + "\n"}};
}

}  // namespace nf::cli
