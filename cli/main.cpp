// numforge command line: formats, gen, eval, verify, ppa, catalog. Every command builds its unit through
// the same OperatorFactory, so bad input is rejected identically everywhere (exit status 2).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "generators/fcvt.h"
#include "generators/mxquant.h"
#include "generators/nvfp4quant.h"
#include "generators/unit.h"
#include "refmodels/quant_stats.h"
#include "refmodels/rounding.h"
#include "synth/ppa.h"
#include "verif/cosim.h"

namespace fs = std::filesystem;
using namespace nf;

namespace {

struct Failure : std::runtime_error {  // a tool failed or a check failed: exit 1
  using std::runtime_error::runtime_error;
};

// Writes files under a temporary name and renames them into place, so a failure leaves no partial output.
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

std::string human(double v) {
  if (std::isnan(v)) return "NaN";
  return fmt::format("{}", v);
}

int cmdFormats() {
  std::cout << fmt::format("{:<11} {:>4}  {:<46} {:>14} {:>14} {:>14}\n", "name", "bits", "layout", "max finite",
                           "min normal", "min subnormal");
  std::vector<Format> all = presetFormats();
  all.insert(all.end(), p3109Presets().begin(), p3109Presets().end());  // IEEE P3109's binary8 family
  for (const Format& f : all) {
    if (!f.isFloat()) {
      std::cout << fmt::format("{:<11} {:>4}  {}\n", f.name, f.width(), f.describe());
      continue;
    }
    std::string specials;
    if (f.hasInf()) specials = fmt::format("Inf 0x{:x}, NaN 0x{:x}", f.infMag(), f.canonicalNaN());
    else if (f.hasNaN()) specials = fmt::format("NaN 0x{:x}", f.canonicalNaN());
    else specials = "no NaN/Inf";
    const std::string sub = f.minSubnormalMag() != f.minNormalMag() ? human(f.toDouble(f.minSubnormalMag())) : "-";
    std::cout << fmt::format("{:<11} {:>4}  {:<46} {:>14} {:>14} {:>14}  {}\n", f.name, f.width(), f.describe(),
                             human(f.toDouble(f.maxFiniteMag())), human(f.toDouble(f.minNormalMag())), sub, specials);
  }
  std::cout << "\nCustom formats: " << formatSyntaxHelp() << "\n";
  return 0;
}

// One input port's hex encoding as its ceil(width / 32) words, least significant first (sr_bits ports are wide).
std::vector<uint32_t> parseInputWords(const std::string& s, const PortInfo& p) {
  std::string t = s;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t = t.substr(2);
  std::vector<uint32_t> words(size_t(p.words()), 0u);
  bool ok = !t.empty();
  int bit = 0;
  for (auto c = t.rbegin(); c != t.rend() && ok; ++c, bit += 4) {
    if (!std::isxdigit(static_cast<unsigned char>(*c))) {
      ok = false;
      break;
    }
    const uint32_t d = uint32_t(std::isdigit(static_cast<unsigned char>(*c)) ? *c - '0' : std::tolower(*c) - 'a' + 10);
    for (int k = 0; k < 4; ++k)
      if ((d >> k) & 1u) {
        if (bit + k >= p.width) ok = false;
        else words[size_t((bit + k) / 32)] |= 1u << ((bit + k) % 32);
      }
  }
  if (!ok) throw UsageError(fmt::format("input {} '{}': expected a hex encoding of at most {} bits", p.name, s, p.width));
  return words;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"numforge: generates floating-point RTL, its bit-accurate model and its PPA"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "numforge 0.1");

  CLI::App* formats = app.add_subcommand("formats", "list the preset formats and the custom-format syntax");

  struct OpCommand {
    CLI::App* cmd;
    std::unique_ptr<OperatorFactory> factory;
  };
  auto addOps = [&](CLI::App* parent) {
    std::vector<OpCommand> v;
    for (auto& f : makeOperatorFactories()) {
      CLI::App* sub = parent->add_subcommand(f->name(), f->summary());
      f->addOptions(*sub);
      sub->fallthrough();  // command options (-o, --exhaustive, ...) may follow the operator options
      v.push_back({sub, std::move(f)});
    }
    parent->require_subcommand(1);
    return v;
  };

  CLI::App* gen = app.add_subcommand("gen", "write <module>.v and <module>.json");
  std::string outDir;
  gen->add_option("-o,--output", outDir, "output directory")->required();
  auto genOps = addOps(gen);

  CLI::App* eval = app.add_subcommand("eval", "print the model's result for given input encodings");
  std::vector<std::string> evalInputs;
  auto evalOps = addOps(eval);
  for (auto& o : evalOps) o.cmd->add_option("inputs", evalInputs, "input encodings in hex, in port order")->required();

  CLI::App* verify = app.add_subcommand("verify", "co-simulate the generated Verilog against the model");
  bool exhaustive = false, checkNans = false;
  uint64_t count = 0, seed = 1;
  std::string vectors;
  int threads = 0;
  auto* exOpt = verify->add_flag("--exhaustive", exhaustive, "every input combination (inputs of at most 32 bits)");
  auto* countOpt = verify->add_option("--count", count, "random vectors after the corner cases");
  verify->add_option("--seed", seed, "random seed")->default_str("1");
  auto* vecOpt = verify->add_option("--vectors", vectors, "TestFloat lines 'hexA hexB hexZ flags' from FILE or - (stdin)");
  verify->add_option("--threads", threads, "worker threads (default: all cores)")->check(CLI::Range(0, 256));
  verify->add_flag("--check-nans", checkNans, "with --vectors, NaN results must match bit for bit");
  exOpt->excludes(countOpt)->excludes(vecOpt);
  countOpt->excludes(vecOpt);
  auto verifyOps = addOps(verify);

  CLI::App* ppa = app.add_subcommand("ppa", "synthesize with Yosys+ABC on NanGate45 and report area and delay");
  std::string liberty;
  bool asJson = false;
  ppa->add_option("--liberty", liberty, "liberty file (default: the vendored NanGate45 typical corner)");
  ppa->add_flag("--json", asJson, "print JSON");
  auto ppaOps = addOps(ppa);

  CLI::App* accuracy = app.add_subcommand(
      "accuracy",
      "quantization error of mxquant, nvfp4quant or per-tensor fcvt on a seeded distribution or a .npy float32 tensor");
  std::string dist = "normal", npyInput;
  uint64_t samples = 1u << 20, accSeed = 1;
  int accThreads = 0;
  accuracy->add_option("--dist", dist, "normal, laplace, uniform or outliers (normal with 1 in 1000 values x100)")
      ->default_str("normal");
  accuracy->add_option("--samples", samples, "values drawn from --dist")->default_str("1048576");
  accuracy->add_option("--seed", accSeed, "random seed")->default_str("1");
  accuracy->add_option("--input", npyInput, "a .npy file of float32 ('<f4', C order) instead of --dist");
  accuracy->add_option("--threads", accThreads, "worker threads (default: all cores)")->check(CLI::Range(0, 256));
  auto accuracyOps = addOps(accuracy);

  CLI::App* catalog = app.add_subcommand("catalog", "regenerate or check the checked-in rtl/ catalog");
  std::string catalogDir;
  bool catalogWrite = false;
  catalog->add_option("dir", catalogDir, "catalog directory holding catalog.txt")->required();
  catalog->add_flag("--write", catalogWrite, "rewrite the modules instead of checking them");

  // CLI11 would only say "a subcommand is required" for an unknown operator; name it and the choices instead.
  if (argc >= 3 && std::string(argv[2])[0] != '-') {
    const std::string cmd = argv[1], op = argv[2];
    if (cmd == "gen" || cmd == "eval" || cmd == "verify" || cmd == "ppa" || cmd == "accuracy") {
      std::string names;
      bool known = false;
      for (const auto& f : makeOperatorFactories()) {
        names += (names.empty() ? "" : ", ") + f->name();
        known = known || f->name() == op;
      }
      if (!known) {
        std::cerr << fmt::format("numforge: error: unknown operator '{}' for {}; accepted: {}\n", op, cmd, names);
        return 2;
      }
    }
  }
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
    return 2;
  }

  auto chosen = [](std::vector<OpCommand>& ops) -> OpCommand& {
    for (auto& o : ops)
      if (o.cmd->parsed()) return o;
    throw UsageError("no operator given");
  };

  try {
    if (formats->parsed()) return cmdFormats();
    if (gen->parsed()) {
      auto unit = chosen(genOps).factory->build();
      const GeneratedModule m = unit->emit();
      writeFilesAtomically(outDir, moduleFiles(m));
      std::cout << fmt::format("wrote {}/{}.v and {}.json\n", outDir, m.name, m.name);
      return 0;
    }
    if (eval->parsed()) {
      auto unit = chosen(evalOps).factory->build();
      if (unit->streamGroup() > 1)
        throw UsageError(fmt::format("eval: {} takes a block over {} input beats, not one vector; accepted: the same "
                                     "options without --lanes (the values are the same), or `verify`",
                                     unit->moduleName(), unit->streamGroup()));
      const auto& ins = unit->inputs();
      if (evalInputs.size() != ins.size()) {
        std::string names;
        for (const PortInfo& p : ins) names += " " + p.name;
        throw UsageError(fmt::format("eval {} takes {} hex inputs ({}), got {}", unit->operatorName(), ins.size(),
                                     names.substr(1), evalInputs.size()));
      }
      std::vector<uint32_t> in, out(unit->outputWords());
      for (size_t i = 0; i < ins.size(); ++i)
        for (uint32_t w : parseInputWords(evalInputs[i], ins[i])) in.push_back(w);
      unit->emulate(in.data(), out.data());
      std::cout << "inputs:  " << verif::describeInputs(*unit, in.data()) << "\n";
      std::cout << "outputs: " << verif::describeOutputs(*unit, out.data()) << "\n";
      return 0;
    }
    if (verify->parsed()) {
      auto unit = chosen(verifyOps).factory->build();
      verif::CosimOptions o;
      o.mode = exhaustive ? verif::CosimOptions::Mode::Exhaustive
               : !vectors.empty() ? verif::CosimOptions::Mode::Vectors
                                  : verif::CosimOptions::Mode::Random;
      o.count = countOpt->count() ? count : 100000;
      o.seed = seed;
      o.vectorsPath = vectors;
      o.threads = threads;
      o.checkNans = checkNans;
      o.progress = true;
      const verif::CosimReport r = verif::runCosim(*unit, o);
      const char* mode = exhaustive ? "exhaustive" : !vectors.empty() ? "from file" : "corner cases + random";
      std::cout << fmt::format("{}: {} vectors ({}), {} mismatches, {:.2f} M vectors/s ({:.2f} s; build {:.1f} s{})\n",
                               unit->moduleName(), r.vectors, mode, r.mismatches, r.rate() / 1e6, r.seconds,
                               r.buildSeconds, r.buildCached ? ", cached" : "");
      if (r.mismatches) {
        std::cout << "first mismatch:\n" << r.firstMismatch << "\n";
        return 1;
      }
      return 0;
    }
    if (ppa->parsed()) {
      auto unit = chosen(ppaOps).factory->build();
      synth::PpaOptions o;
      if (!liberty.empty()) {
        if (!fs::is_regular_file(liberty))
          throw UsageError(fmt::format("--liberty {}: no such file", liberty));
        o.liberty = liberty;
      }
      const GeneratedModule m = unit->emit();
      const synth::PpaResult r = synth::runPpa(m.verilog, m.name, o);
      if (asJson) {
        nlohmann::json j = synth::toJson(r);
        j["module"] = m.name;
        j["latency"] = unit->latency();
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << fmt::format("{}: area {:.1f} um^2 ({:.0f} NAND2-eq), {} cells, {} flip-flops, {} {:.0f} ps\n",
                                 m.name, r.areaUm2, r.areaNand2, r.cells, r.flops,
                                 unit->latency() ? "worst stage" : "critical path", r.delayPs);
      }
      return 0;
    }
    if (accuracy->parsed()) {
      auto unit = chosen(accuracyOps).factory->build();
      const MxQuantSpec* mx = mxQuantSpecOf(*unit);
      const Nvfp4QuantSpec* nv = nvfp4QuantSpecOf(*unit);
      const FcvtSpec* cv = fcvtSpecOf(*unit);
      if (!mx && !nv && !cv)
        throw UsageError(fmt::format("accuracy: {} is not a quantizer; accepted: mxquant, nvfp4quant, fcvt (per-tensor "
                                     "scaling)",
                                     unit->operatorName()));
      if (cv) {
        if (!cv->a.isFloat() || !cv->out.isFloat())
          throw UsageError(fmt::format("accuracy fcvt: bad --a {} / --out {}: per-tensor scaling needs float formats on "
                                       "both sides; accepted: e.g. --a fp32 --out e4m3",
                                       cv->a.name, cv->out.name));
        if (cv->dynamicRounding || cv->round.mode == Rounding::SR)
          throw UsageError("accuracy fcvt: bad --round: dyn and sr are not measured; accepted: rne, rtz, rup, rdn, rna, rod");
      }
      if (mx && mx->mode == Rounding::SR)
        throw UsageError(fmt::format("accuracy: --round sr is not measured yet (the tensor path has no random source); "
                                     "accepted: --round {}",
                                     roundingChoices()));
      std::vector<float> data;
      std::string source;
      if (!npyInput.empty()) {
        try {
          data = readNpyFloat32(npyInput);
        } catch (const std::runtime_error& e) {
          throw UsageError(e.what());
        }
        source = npyInput;
      } else {
        if (samples < 1 || samples > (uint64_t(1) << 31))
          throw UsageError(fmt::format("bad --samples {}; accepted: 1..2^31", samples));
        try {
          data = makeDistribution(dist, size_t(samples), accSeed);
        } catch (const std::invalid_argument& e) {
          throw UsageError(e.what());
        }
        source = fmt::format("{} x {} (seed {})", dist, samples, accSeed);
      }
      uint32_t tensorScale = 0;
      const QuantStats st = mx   ? mxQuantStats(*mx, data.data(), data.size(), accThreads)
                            : nv ? nvfp4QuantStats(*nv, data.data(), data.size(), accThreads, &tensorScale)
                                 : perTensorQuantStats(*cv, data.data(), data.size(), accThreads, &tensorScale);
      std::cout << fmt::format("{} on {}:\n", unit->moduleName(), source);
      if (!mx) {
        const Format fp32 = parseFormat("fp32");
        std::cout << fmt::format("  tensor scale  0x{:08x} ({:.9g} = fp32(amax / {}))\n", tensorScale,
                                 fp32.toDouble(tensorScale), nv ? kNvfp4TensorDivisor : cv->out.toDouble(cv->out.maxFiniteMag()));
      }
      std::cout << fmt::format("  elements      {}\n", st.elements);
      std::cout << fmt::format("  MSE           {:.6g}\n", st.mse);
      std::cout << fmt::format("  QSNR          {:.2f} dB\n", st.qsnrDb);
      std::cout << fmt::format("  max abs err   {:.6g}\n", st.maxAbsErr);
      std::cout << fmt::format("  max rel err   {:.6g}\n", st.maxRelErr);
      std::cout << fmt::format("  saturated     {:.6f} %\n", 100 * st.saturatedFrac);
      std::cout << fmt::format("  zero-flushed  {:.6f} %\n", 100 * st.zeroFlushedFrac);
      if (st.nanBlocks) std::cout << fmt::format("  NaN/Inf blocks (excluded)  {}\n", st.nanBlocks);
      return 0;
    }
    if (catalog->parsed()) {
      const fs::path dir = catalogDir;
      std::ifstream list(dir / "catalog.txt");
      if (!list) throw UsageError(fmt::format("catalog: cannot read {}", (dir / "catalog.txt").string()));
      std::string line;
      int stale = 0, total = 0;
      while (std::getline(list, line)) {
        std::istringstream ss(line);
        std::vector<std::string> words;
        for (std::string w; ss >> w;) words.push_back(w);
        if (words.empty() || words[0][0] == '#') continue;
        auto unit = buildUnit(words[0], std::vector<std::string>(words.begin() + 1, words.end()));
        const GeneratedModule m = unit->emit();
        ++total;
        if (catalogWrite) {
          writeFilesAtomically(dir, moduleFiles(m));
          continue;
        }
        for (const auto& [name, text] : moduleFiles(m)) {
          std::ifstream f(dir / name, std::ios::binary);
          std::stringstream have;
          have << f.rdbuf();
          if (!f || have.str() != text) {
            std::cout << "stale: " << (dir / name).string() << "\n";
            ++stale;
          }
        }
      }
      std::cout << fmt::format("{} modules, {} stale files\n", total, stale);
      return stale ? 1 : 0;
    }
  } catch (const UsageError& e) {
    std::cerr << "numforge: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "numforge: failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
