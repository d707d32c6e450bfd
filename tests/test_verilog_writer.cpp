// The declaring Verilog writer (generators/verilog.h): signals declared once, pipeline registers found by
// themselves at each cut, instances checked against their module's ports. Every expected text below is written
// out by hand from the rule it checks.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "generators/blocks.h"
#include "generators/instances.h"
#include "generators/verilog.h"

namespace nf {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A small two-stage datapath: a and b are ports, x and y computed; only what is read after a cut crosses it.
vlog::Writer twoCuts() {
  vlog::Writer w;
  w.open("module t (");
  w.line("input  wire clk,");
  w.line("input  wire rst,");
  w.line("input  wire valid_in,");
  w.line("input  wire [7:0] a,");
  w.line("input  wire [7:0] b,");
  w.line("output wire [7:0] z,");
  w.line("output wire valid_out");
  w.close(");");
  w.wire("x", 8, "a + 8'h01");
  w.wire("unused_late", 1, "^a");
  w.cut(true);
  w.wire("y", 8, "x ^ b");  // x from stage 0, b the port
  w.cut(true);
  w.line("  assign z = y | x;  // x two stages on");
  w.line("  assign valid_out = " + w.valid() + ";");
  return w;
}

TEST(VerilogWriter, CutsRegisterWhatIsReadAcrossThem) {
  const std::string t = twoCuts().str();
  // Cut 1: x and b (read at stage 1), in declaration order (b is a port, declared before x); a is not read
  // after the cut, so it gets no flop.
  EXPECT_TRUE(has(t, "  // Pipeline register 1\n  reg valid_p1;\n  reg [7:0] b_p1;\n  reg [7:0] x_p1;\n"
                     "  always @(posedge clk) begin\n    valid_p1 <= rst ? 1'b0 : valid_in;\n    b_p1 <= b;\n"
                     "    x_p1 <= x;\n  end\n"))
      << t;
  EXPECT_FALSE(has(t, "a_p1")) << t;
  EXPECT_TRUE(has(t, "  wire [7:0] y = x_p1 ^ b_p1;\n")) << t;
  // Cut 2: y from stage 1, and x travelling on from its stage-1 flop.
  EXPECT_TRUE(has(t, "  reg [7:0] x_p2;\n  reg [7:0] y_p2;\n")) << t;
  EXPECT_TRUE(has(t, "    x_p2 <= x_p1;\n    y_p2 <= y;\n")) << t;
  EXPECT_FALSE(has(t, "b_p2")) << t;
  // Outputs are driven, never renamed; comments are left alone; clk/rst/valid_in are the pipeline's own.
  EXPECT_TRUE(has(t, "  assign z = y_p2 | x_p2;  // x two stages on\n")) << t;
  EXPECT_TRUE(has(t, "  assign valid_out = valid_p2;\n")) << t;
}

TEST(VerilogWriter, WithoutRegisteredCutsTheTextIsAsWritten) {
  vlog::Writer w;
  w.line("input  wire [3:0] a,");
  w.wire("x", 4, "a");
  w.cut(false);
  w.line("  assign z = x;");
  EXPECT_EQ(w.str(), "input  wire [3:0] a,\n  wire [3:0] x = a;\n  assign z = x;\n");
}

TEST(VerilogWriter, LiteralsPortNamesAndSystemNamesAreNotSignals) {
  vlog::Writer w;
  w.line("input  wire [7:0] h,");  // a signal named like a literal's base and digits
  w.line("input  wire [7:0] x,");
  w.cut(true);
  w.line("  sub u_s (.x(x), .h(8'hff));");
  w.line("  wire s = $signed(h) < $signed(8'sh80);");
  const std::string t = w.str();
  EXPECT_TRUE(has(t, "  sub u_s (.x(x_p1), .h(8'hff));\n")) << t;
  EXPECT_TRUE(has(t, "  wire s = $signed(h_p1) < $signed(8'sh80);\n")) << t;
}

TEST(VerilogWriter, RetimedSignalsAreReadAsTheyAre) {
  vlog::Writer w;
  w.line("input  wire [3:0] d,");
  w.line("  reg [3:0] acc;");
  w.line("  always @(posedge clk) acc <= acc + d;");
  w.cut(true);
  w.retime({"acc"});  // a state register: it already holds the next stage's value
  w.line("  assign z = acc;");
  const std::string t = w.str();
  EXPECT_FALSE(has(t, "acc_p1")) << t;
  EXPECT_TRUE(has(t, "  assign z = acc;\n")) << t;
  EXPECT_THROW(w.retime({"nothing"}), std::logic_error);
}

TEST(VerilogWriter, DeclarationsAreReadOnceAndWidthsTold) {
  vlog::Writer w;
  w.line("  wire [5:0] p, q;");
  w.line("  wire r;");
  w.line("  reg [16:0] mem [0:3];");
  EXPECT_EQ(w.widthOf("p"), 6);
  EXPECT_EQ(w.widthOf("r"), 1);
  EXPECT_EQ(w.widthOf("p[3:1]"), 3);
  EXPECT_EQ(w.widthOf("q[2]"), 1);
  EXPECT_EQ(w.widthOf("{p, r, 2'b01}"), 9);
  EXPECT_EQ(w.widthOf("{3{r}}"), 3);
  EXPECT_EQ(w.widthOf("p + q"), -1);  // not told: an instance does not check it
  EXPECT_EQ(w.widthOf("unknown"), -1);
  EXPECT_THROW(w.line("  wire r;"), std::logic_error);                  // declared twice
  EXPECT_THROW(w.line("  wire [W-1:0] s;"), std::logic_error);          // a width the writer cannot read
}

TEST(VerilogWriter, MemoriesAreStateNotPipelined) {
  vlog::Writer w;
  w.line("  reg [3:0] mem [0:1];");
  w.cut(true);
  w.line("  wire [3:0] m = mem[0];");
  // A memory is state, not a pipelined value: it is read as it is.
  EXPECT_TRUE(has(w.str(), "  wire [3:0] m = mem[0];\n"));
}

blocks::Design designWithSub() {
  blocks::Design d("top");
  d.add("top_sub", "module top_sub (\n  input  wire [3:0] x,\n  input  wire c,\n  output wire [4:0] y\n);\n"
                   "  assign y = x + c;\nendmodule\n");
  return d;
}

TEST(VerilogWriter, InstancesAreCheckedAgainstTheirPorts) {
  const blocks::Design d = designWithSub();
  vlog::Writer w;
  w.line("  wire [3:0] v;");
  w.line("  wire [4:0] s;");
  w.line("  wire [2:0] narrow;");
  blocks::instance(w, d, "top_sub", "u_ok", {{"x", "v"}, {"c", "1'b0"}, {"y", "s"}});
  EXPECT_TRUE(has(w.str(), "  top_sub u_ok (.x(v), .c(1'b0), .y(s));\n")) << w.str();
  // An expression whose width the writer cannot tell is connected unchecked.
  EXPECT_NO_THROW(blocks::instance(w, d, "top_sub", "u_expr", {{"x", "v ^ v"}, {"c", "1'b1"}, {"y", ""}}));
  EXPECT_THROW(blocks::instance(w, d, "top_sub", "u_w", {{"x", "narrow"}, {"c", "1'b0"}, {"y", "s"}}), std::logic_error);
  EXPECT_THROW(blocks::instance(w, d, "top_sub", "u_n", {{"x", "v"}, {"cin", "1'b0"}, {"y", "s"}}), std::logic_error);
  EXPECT_THROW(blocks::instance(w, d, "top_sub", "u_m", {{"x", "v"}, {"y", "s"}}), std::logic_error);
  EXPECT_THROW(blocks::instance(w, d, "top_sub", "u_2", {{"x", "v"}, {"x", "v"}, {"c", "1'b0"}, {"y", "s"}}),
               std::logic_error);
  EXPECT_THROW(blocks::instance(w, d, "top_missing", "u_x", {}), std::logic_error);
}

TEST(VerilogWriter, BitPatternsInHexCountsInDecimal) {
  EXPECT_EQ(vlog::bits(16, 0x7fc0), "16'h7fc0");
  EXPECT_EQ(vlog::bits(4, 0x1f), "4'hf");
  EXPECT_EQ(vlog::lit(5, 17), "5'd17");
  EXPECT_EQ(vlog::slit(8, -5), "8'shfb");
}

}  // namespace
}  // namespace nf
