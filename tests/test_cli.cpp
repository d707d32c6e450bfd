// The command line as a user meets it: bad input gives exit status 2, one message naming the bad field
// and what is accepted, and writes no files; good input works end to end.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/catalog.h"

namespace nf {
namespace {

namespace fs = std::filesystem;

const std::string kNumforge = NF_BINARY_DIR "/numforge";

struct CliRun {
  int rc;
  std::string out;
};

CliRun numforge(const std::string& args) {
  CliRun r;
  r.rc = test::runCommand("NUMFORGE_CACHE=" NF_BINARY_DIR "/vcache " + kNumforge + " " + args, r.out);
  return r;
}

class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::freshTestDir("nf_cli_");
  }
  void TearDown() override { fs::remove_all(dir_); }
  size_t fileCount() const {
    size_t n = 0;
    for (auto it = fs::recursive_directory_iterator(dir_); it != fs::recursive_directory_iterator(); ++it) ++n;
    return n;
  }
  fs::path dir_;
};

struct BadCase {
  std::string args;
  std::vector<std::string> mentions;  // the message must name the field and the accepted values
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.args; }

class BadInput : public ScratchDir, public ::testing::WithParamInterface<BadCase> {};

TEST_P(BadInput, ExitsTwoWithOneClearMessageAndNoFiles) {
  const BadCase& c = GetParam();
  std::string args = c.args;
  const size_t at = args.find("@DIR");
  if (at != std::string::npos) args.replace(at, 4, dir_.string());
  const CliRun r = numforge(args);
  EXPECT_EQ(r.rc, 2) << args << "\n" << r.out;
  for (const std::string& m : c.mentions) EXPECT_NE(r.out.find(m), std::string::npos) << "missing '" << m << "' in:\n" << r.out;
  EXPECT_EQ(fileCount(), 0u) << "files were written for: " << args;
  EXPECT_EQ(r.out.find("terminate"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadInput,
    ::testing::Values(
        BadCase{"gen fmul --a e9m3 -o @DIR", {"--a", "exponent bits 9 out of range 2..8", "accepted"}},
        BadCase{"gen fmul --a e4m24 -o @DIR", {"--a", "mantissa bits 24 out of range 0..23"}},
        BadCase{"gen fmul --a bogus -o @DIR", {"--a", "unknown name 'bogus'", "bf16"}},
        BadCase{"gen fmul --a bf16 --out e5m0 -o @DIR", {"--out", "IEEE"}},
        BadCase{"gen fmul --a bf16 --round nearest -o @DIR", {"--round", "rne, rtz, rup, rdn, rna, rod"}},
        BadCase{"gen fmul --a int8 -o @DIR", {"--a", "floating-point"}},
        BadCase{"gen fmul --a bf16 --stages 99 -o @DIR", {"--stages", "0..8"}},
        BadCase{"gen fmul --a bf16 --opt speed -o @DIR", {"--opt", "area", "delay"}},
        BadCase{"gen fmul --a bf16 --name 9bad -o @DIR", {"--name", "identifier"}},
        BadCase{"gen fmul --a bf16 -o /proc/nope/out", {"-o", "/proc/nope/out"}},
        BadCase{"gen fsquash --a bf16 -o @DIR", {"unknown operator 'fsquash'", "fmul", "fadd", "fma"}},
        BadCase{"gen fadd --a bf16 --b e9m1 -o @DIR", {"--b", "exponent bits 9 out of range 2..8"}},
        BadCase{"gen fadd --a bf16 --out uint8 -o @DIR", {"--out", "floating-point"}},
        BadCase{"gen fadd --a e8m0 -o @DIR", {"--a", "floating-point"}},
        BadCase{"gen fadd --a bf16 --round up -o @DIR", {"--round", "rne, rtz, rup, rdn, rna, rod", "dyn"}},
        BadCase{"gen fadd --a bf16 --stages -1 -o @DIR", {"--stages", "0..8"}},
        BadCase{"gen kulisch --a bf16 --b bf16 --out fp32 --stages 6 -o @DIR", {"--stages", "0..5"}},
        BadCase{"gen facc --a fp16 --round dyn --stages 2 -o @DIR", {"--stages", "0 or 1"}},
        BadCase{"gen fma --a bf16 --opt speed -o @DIR", {"--opt", "area", "delay"}},
        BadCase{"gen fma --a bf16 --c int8 -o @DIR", {"--c", "floating-point"}},
        BadCase{"gen fma -o @DIR", {"--a"}},
        BadCase{"verify fma --a bf16 --exhaustive", {"--exhaustive", "48 bits"}},
        BadCase{"eval fma --a bf16 0x3f80 0x3f80", {"3 hex inputs", "a b c"}},
        BadCase{"eval fadd --a e4m3 0x7e 0x1ff", {"input b", "8 bits"}},
        BadCase{"verify fmul --a fp32 --exhaustive", {"--exhaustive", "32 bits"}},
        BadCase{"verify fmul --a bf16 --vectors @DIR/missing.txt", {"--vectors", "missing.txt"}},
        BadCase{"eval fmul --a bf16 0x3f80", {"2 hex inputs"}},
        BadCase{"eval fmul --a e4m3 0x3f80 0x1", {"input a", "8 bits"}},
        BadCase{"ppa fmul --a bf16 --liberty @DIR/none.lib", {"--liberty", "none.lib"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-bits 0 -o @DIR", {"--sr-bits", "1..24"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-bits 25 -o @DIR", {"--sr-bits", "1..24"}},
        BadCase{"gen fcvt --a e4m3 --out fp32 --round sr -o @DIR", {"--round sr", "exact", "narrowing"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-source dice -o @DIR", {"--sr-source", "dice", "port", "lfsr"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-source lfsr --sr-seed 0 -o @DIR", {"--sr-seed", "1..4294967295"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-seed 5 -o @DIR", {"--sr-seed", "--sr-source lfsr"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --sr-bits 8 -o @DIR", {"--sr-bits", "--round sr"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round nearest -o @DIR", {"--round", "rne", "dyn", "sr"}},
        BadCase{"gen fcvt --a fp32 -o @DIR", {"--out"}},
        BadCase{"gen fcvt --a fp32 --out int40 -o @DIR", {"--out", "2..32"}},
        BadCase{"gen fmul --a bf16 --round sr -o @DIR", {"--round", "rne, rtz"}},
        BadCase{"eval fcvt --a bf16 --out e2m1 --round sr 0x3f80", {"2 hex inputs", "sr_bits"}},
        // Every numeric option: negative, beyond its type, non-numeric and out of range are refused by name
        // with the accepted range (a wrapped -5 or a sentinel such as -1 = "not given" used to pass).
        BadCase{"verify fmul --a bf16 --count -5", {"--count", "'-5'", "0..1000000000000"}},
        BadCase{"verify fmul --a bf16 --count 99999999999999999999", {"--count", "0..1000000000000"}},
        BadCase{"verify fmul --a bf16 --count 1e6", {"--count", "'1e6'", "0..1000000000000"}},
        BadCase{"verify fmul --a bf16 --seed -1", {"--seed", "0..18446744073709551615"}},
        BadCase{"verify fmul --a bf16 --seed 18446744073709551616", {"--seed", "0..18446744073709551615"}},
        BadCase{"verify fmul --a bf16 --threads 300", {"--threads", "0..256"}},
        BadCase{"verify fmul --a bf16 --threads two", {"--threads", "'two'", "0..256"}},
        BadCase{"accuracy mxquant --a fp32 --samples 0", {"--samples", "1..2147483648"}},
        BadCase{"accuracy mxquant --a fp32 --samples -3", {"--samples", "1..2147483648"}},
        BadCase{"accuracy mxquant --a fp32 --seed 1.5", {"--seed", "'1.5'"}},
        BadCase{"accuracy mxquant --a fp32 --threads -1", {"--threads", "0..256"}},
        BadCase{"gen fmul --a bf16 --stages abc -o @DIR", {"--stages", "'abc'", "0..8"}},
        BadCase{"gen fmul --a bf16 --stages 99999999999 -o @DIR", {"--stages", "0..8"}},
        // Decimal only: CLI11 alone reads "010" and "0x8" as 8, both accepted.
        BadCase{"gen fmul --a bf16 --stages 010 -o @DIR", {"--stages", "0..8"}},
        BadCase{"verify fmul --a bf16 --count 010", {"--count", "'010'", "no leading zeros"}},
        BadCase{"gen fmul --a bf16 --stages 0x8 -o @DIR", {"--stages", "'0x8'", "0..8"}},
        BadCase{"eval fmul --a bf16 --stages -2 0x3f80 0x3f80", {"--stages", "0..8"}},
        BadCase{"gen fdot --n x --a e4m3 --out fp32 -o @DIR", {"--n", "2..32"}},
        BadCase{"gen fdot --n 4 --a e4m3 --out fp32 --accum align --align-bits -1 -o @DIR", {"--align-bits", "1..60"}},
        BadCase{"gen fdot --n 4 --a e4m3 --out fp32 --group 0 -o @DIR", {"--group", "1..32"}},
        BadCase{"gen kulisch --a e4m3 --b e4m3 --out fp32 --carry-bits 1e3 -o @DIR", {"--carry-bits", "1..64"}},
        // P3109's saturation modes on fdot and mxquant, stochastic variants on mxquant (issue 17).
        BadCase{"gen fdot --n 4 --a e4m3 --out fp32 --sat clamp -o @DIR", {"--sat", "satfinite, satpropagate, satnone"}},
        BadCase{"gen fdot --n 4 --a e4m3 --out fp32 --accum align --overflow inf --sat satpropagate -o @DIR",
                {"--sat satfinite|satpropagate", "tensor-core", "--sat satnone"}},
        BadCase{"gen mxquant --a bf16 --sat clamp -o @DIR", {"--sat", "'clamp'", "satfinite", "satpropagate"}},
        BadCase{"gen mxquant --a bf16 --sat satnone -o @DIR", {"--sat satnone", "saturate", "satfinite", "satpropagate"}},
        BadCase{"gen mxquant --a bf16 --round sr --sr-variant d -o @DIR", {"--sr-variant", "'d'", "a, b, c"}},
        BadCase{"gen mxquant --a bf16 --sr-variant b -o @DIR", {"--sr-variant", "--round sr"}},
        BadCase{"gen mxquant --a bf16 --lanes -1 -o @DIR", {"--lanes", "1..64"}},
        BadCase{"gen mxquant --a bf16 --block 0x20 -o @DIR", {"--block", "1..64"}},
        BadCase{"gen mxdequant --a e4m3 --block -32 -o @DIR", {"--block", "1..64"}},
        BadCase{"gen nvfp4quant --a bf16 --block 32 -o @DIR", {"--block", "16"}},
        BadCase{"gen nvfp4dequant --block many -o @DIR", {"--block", "16"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-bits -1 -o @DIR", {"--sr-bits", "1..24"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-source lfsr --sr-seed -1 -o @DIR", {"--sr-seed", "1..4294967295"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --round sr --sr-source lfsr --sr-seed 4294967296 -o @DIR",
                {"--sr-seed", "1..4294967295"}},
        // --name: a keyword of Verilog-2005 or SystemVerilog would write a module that does not parse.
        BadCase{"gen fmul --a bf16 --name module -o @DIR", {"--name", "'module'", "keyword", "identifier"}},
        BadCase{"gen fadd --a bf16 --name wire -o @DIR", {"--name", "keyword"}},
        BadCase{"gen fma --a bf16 --name logic -o @DIR", {"--name", "keyword", "SystemVerilog"}},
        BadCase{"gen fcvt --a fp32 --out e4m3 --name always_ff -o @DIR", {"--name", "keyword"}},
        BadCase{"gen mxquant --a bf16 --name endmodule -o @DIR", {"--name", "keyword"}},
        BadCase{"gen mxdequant --a e4m3 --name interface -o @DIR", {"--name", "keyword"}},
        BadCase{"gen nvfp4quant --a bf16 --name reg -o @DIR", {"--name", "keyword"}},
        BadCase{"gen nvfp4dequant --name input -o @DIR", {"--name", "keyword"}},
        BadCase{"gen fmul --a bf16 --name a.b -o @DIR", {"--name", "identifier"}}),
    [](const auto& info) {
      std::string n;
      for (char c : info.param.args.substr(0, 40)) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return n + "_" + std::to_string(info.index);
    });

// The subcommand help lists the options issue 17 added.
TEST(Cli, HelpShowsP3109Options) {
  const CliRun fdot = numforge("gen fdot --help");
  ASSERT_EQ(fdot.rc, 0) << fdot.out;
  EXPECT_NE(fdot.out.find("--sat"), std::string::npos) << fdot.out;
  EXPECT_NE(fdot.out.find("satpropagate"), std::string::npos) << fdot.out;
  const CliRun mx = numforge("gen mxquant --help");
  ASSERT_EQ(mx.rc, 0) << mx.out;
  EXPECT_NE(mx.out.find("--sr-variant"), std::string::npos) << mx.out;
  EXPECT_NE(mx.out.find("--sat"), std::string::npos) << mx.out;
}

TEST_F(ScratchDir, MalformedVectorFileNamesTheLine) {
  const fs::path f = dir_ / "v.txt";
  std::ofstream(f) << "3f80 3f80 3f80 00\n3f80 zz 3f80 00\n";
  const CliRun r = numforge("verify fmul --a bf16 --flags --vectors " + f.string());
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("v.txt:2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("'zz'"), std::string::npos) << r.out;
}

TEST_F(ScratchDir, GenWritesVerilogAndManifest) {
  const CliRun r = numforge("gen fmul --a e4m3 --out bf16 -o " + dir_.string());
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "fmul_e4m3_e4m3_bf16_rne.v"));
  EXPECT_TRUE(fs::exists(dir_ / "fmul_e4m3_e4m3_bf16_rne.json"));
  EXPECT_EQ(fileCount(), 2u);
  const CliRun named = numforge("gen fmul --a e4m3 --name my_mul -o " + dir_.string());
  ASSERT_EQ(named.rc, 0) << named.out;
  EXPECT_TRUE(fs::exists(dir_ / "my_mul.v"));
}

TEST_F(ScratchDir, NumericOptionsAcceptTheEndsOfTheirRanges) {
  // Verilog is case-sensitive: Module is no keyword. --stages 8 and the largest --seed are inside the ranges.
  CliRun r = numforge("gen fmul --a e4m3 --name Module --stages 8 -o " + dir_.string());
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "Module.v"));
  r = numforge("accuracy mxquant --a fp32 --samples 64 --seed 18446744073709551615 --threads 256");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("seed 18446744073709551615"), std::string::npos) << r.out;
}

TEST(Cli, EvalPrintsDecodedResultAndFlags) {
  // 448 * 2 overflows e4m3 to NaN (0x7f) without saturation; with it, to 448 (0x7e).
  CliRun r = numforge("eval fmul --a e4m3 --flags 0x7e 0x40");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("z=0x7f"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("overflow"), std::string::npos) << r.out;
  r = numforge("eval fmul --a e4m3 --saturate --flags 0x7e 0x40");
  EXPECT_NE(r.out.find("z=0x7e (448)"), std::string::npos) << r.out;
}

TEST_F(ScratchDir, VerifyAcceptsTestFloatLinesAndReportsDisagreement) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent";
  const fs::path good = dir_ / "good.txt", bad = dir_ / "bad.txt";
  // bf16: 1.5 * 1.5 = 2.25 exact; 0 * inf = NaN invalid (any NaN matches); max * 2 overflows.
  std::ofstream(good) << "3fc0 3fc0 4010 00\n0000 7f80 7fc1 10\n7f7f 4000 7f80 05\n";
  std::ofstream(bad) << "3fc0 3fc0 4011 00\n";
  CliRun r = numforge("verify fmul --a bf16 --flags --vectors " + good.string());
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("3 vectors"), std::string::npos) << r.out;
  r = numforge("verify fmul --a bf16 --flags --vectors " + good.string() + " --check-nans");
  EXPECT_EQ(r.rc, 1) << "with --check-nans the NaN payload 0x7fc1 must not match 0x7fc0\n" << r.out;
  r = numforge("verify fmul --a bf16 --flags --vectors " + bad.string());
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("bad.txt line 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("z=0x4011"), std::string::npos) << r.out;
}

TEST_F(ScratchDir, FcvtTakesOneOperandTestFloatLines) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent";
  const fs::path good = dir_ / "cvt.txt", bad = dir_ / "cvt_bad.txt";
  // bf16 -> e4m3: 1.0; 448 = max; NaN; 512 overflows to NaN (overflow|inexact); 2^-10 = half the smallest
  // subnormal, a tie to 0 (underflow|inexact).
  std::ofstream(good) << "3f80 38 00\n43e0 7e 00\n7fc0 7f 00\n4400 7f 05\n3a80 00 03\n";
  std::ofstream(bad) << "3f80 39 00\n";
  CliRun r = numforge("verify fcvt --a bf16 --out e4m3 --flags --vectors " + good.string());
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("5 vectors"), std::string::npos) << r.out;
  r = numforge("verify fcvt --a bf16 --out e4m3 --flags --vectors " + bad.string());
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("z=0x39"), std::string::npos) << r.out;
}

TEST(Cli, FcvtEvalWithRandomBits) {
  // bf16 1.25 -> e2m1 under sr with 8 random bits: 1.25 lies half way from 1 to 1.5 (e2m1's lsb is 0.5 there),
  // so it rounds up when sr_bits >= 0x80 (0.5 + 0x80/256 = 1).
  CliRun r = numforge("eval fcvt --a bf16 --out e2m1 --round sr --flags 0x3fa0 0x7f");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("z=0x2 (1)"), std::string::npos) << r.out;
  r = numforge("eval fcvt --a bf16 --out e2m1 --round sr --flags 0x3fa0 0x80");
  EXPECT_NE(r.out.find("z=0x3 (1.5)"), std::string::npos) << r.out;
}

TEST(Cli, EvalFaddAndFma) {
  // e4m3 448 + 448 overflows to NaN; x - x is +0, or -0 with --round rdn.
  CliRun r = numforge("eval fadd --a e4m3 --flags 0x7e 0x7e");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("z=0x7f"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("overflow"), std::string::npos) << r.out;
  r = numforge("eval fadd --a bf16 --round rdn 0x3fc0 0xbfc0");
  EXPECT_NE(r.out.find("z=0x8000"), std::string::npos) << r.out;
  // bf16 x bf16 + fp32 -> fp32: 1.5 * 1.5 + 2^-20 is exact in fp32 (0x40100004).
  r = numforge("eval fma --a bf16 --c fp32 --out fp32 --flags 0x3fc0 0x3fc0 0x35800000");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("z=0x40100004"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flags=0x00"), std::string::npos) << r.out;
}

TEST_F(ScratchDir, VerifyTakesTestFloatLinesForTwoAndThreeInputs) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent";
  const fs::path add = dir_ / "add.txt", fma = dir_ / "fma.txt", bad = dir_ / "bad.txt";
  // fp16: 1 + 1 = 2; inf - inf invalid; max + max overflows. fma: 1 * 1 + 1 = 2; 0 * inf + 1 invalid.
  std::ofstream(add) << "3c00 3c00 4000 00\n7c00 fc00 7e00 10\n7bff 7bff 7c00 05\n";
  std::ofstream(fma) << "3c00 3c00 3c00 4000 00\n0000 7c00 3c00 7e00 10\n";
  std::ofstream(bad) << "3c00 3c00 3c00 4001 00\n";
  CliRun r = numforge("verify fadd --a fp16 --flags --vectors " + add.string());
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("3 vectors"), std::string::npos) << r.out;
  r = numforge("verify fma --a fp16 --flags --vectors " + fma.string());
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("2 vectors"), std::string::npos) << r.out;
  r = numforge("verify fma --a fp16 --flags --vectors " + bad.string());
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("z=0x4001"), std::string::npos) << r.out;
  // Two words cannot be an fma line (a b c z [flags]): the message names the expected layout and the line.
  const fs::path shortLine = dir_ / "short.txt";
  std::ofstream(shortLine) << "3c00 3c00\n";
  r = numforge("verify fma --a fp16 --flags --vectors " + shortLine.string());
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("hexc"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("short.txt:1"), std::string::npos) << r.out;
}

TEST(Cli, FormatsListsEveryPreset) {
  const CliRun r = numforge("formats");
  ASSERT_EQ(r.rc, 0);
  for (const char* f : {"fp32", "fp16", "bf16", "tf32", "e5m2", "e4m3", "e5m2fnuz", "e4m3fnuz", "e3m2", "e2m3", "e2m1",
                        "e8m0", "ue4m3", "int8", "uint8", "int4", "448", "57344"})
    EXPECT_NE(r.out.find(f), std::string::npos) << f;
}

}  // namespace
}  // namespace nf
