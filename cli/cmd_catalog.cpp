// numforge catalog DIR [--write]: checks (or rewrites) the checked-in modules listed in DIR/catalog.txt,
// one operator and its options per line; exits 1 when any file is stale.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"

namespace fs = std::filesystem;

namespace nf::cli {
namespace {

class CatalogCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("catalog", "regenerate or check the checked-in rtl/ catalog");
    cmd->add_option("dir", dir_, "catalog directory holding catalog.txt")->required();
    cmd->add_flag("--write", write_, "rewrite the modules instead of checking them");
    return cmd;
  }

  int run() override {
    const fs::path dir = dir_;
    std::ifstream list(dir / "catalog.txt");
    if (!list) throw UsageError(fmt::format("catalog: cannot read {}", (dir / "catalog.txt").string()));
    std::string line;
    int stale = 0, total = 0;
    while (std::getline(list, line)) {
      std::istringstream ss(line);
      std::vector<std::string> words;
      for (std::string w; ss >> w;) words.push_back(w);
      if (words.empty() || words[0][0] == '#') continue;
      auto unit = nf::buildUnit(words[0], std::vector<std::string>(words.begin() + 1, words.end()));
      const GeneratedModule m = unit->emit();
      ++total;
      if (write_) writeFilesAtomically(dir, moduleFiles(m));
      else stale += countStale(dir, m);
    }
    std::cout << fmt::format("{} modules, {} stale files\n", total, stale);
    return stale ? kExitCheckFailed : kExitOk;
  }

 private:
  // Prints and counts the module's files in `dir` that differ from what the generator writes today.
  static int countStale(const fs::path& dir, const GeneratedModule& m) {
    int stale = 0;
    for (const auto& [name, text] : moduleFiles(m)) {
      std::ifstream f(dir / name, std::ios::binary);
      std::stringstream have;
      have << f.rdbuf();
      if (!f || have.str() != text) {
        std::cout << "stale: " << (dir / name).string() << "\n";
        ++stale;
      }
    }
    return stale;
  }

  std::string dir_;
  bool write_ = false;
};

}  // namespace

std::unique_ptr<Command> makeCatalogCommand() { return std::make_unique<CatalogCommand>(); }

}  // namespace nf::cli
