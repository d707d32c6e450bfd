#include "synth/ppa.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace nf::synth {
namespace {

namespace fs = std::filesystem;

// Yosys 0.23 cannot parse the scan-flop pin functions of the NanGate library; it skips those cells, which the
// flow never needs, so these lines are noise in error messages.
constexpr std::string_view kHarmlessWarning = "'SE*SI+D*!SE'";

constexpr int kLogTailLines = 20;

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Locale-independent, so a host locale with ',' decimals cannot corrupt the figures.
std::optional<double> parseDouble(std::string_view s) {
  s = trim(s);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p == s.data()) return std::nullopt;
  return v;
}

std::optional<int> parseInt(std::string_view s) {
  s = trim(s);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

bool writeFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  return static_cast<bool>(out);
}

// The last lines of a log, indented, so an error message shows Yosys' own diagnosis rather than its banner.
std::string tail(std::string_view text, int maxLines) {
  for (std::string_view start : {"-- Executing script file", "-- Running command"}) {
    if (size_t at = text.find(start); at != std::string_view::npos) {
      text.remove_prefix(at);
      break;
    }
  }
  std::vector<std::string_view> kept;
  for (std::string_view line : splitLines(text))
    if (line.find(kHarmlessWarning) == std::string_view::npos) kept.push_back(line);
  while (!kept.empty() && trim(kept.back()).empty()) kept.pop_back();
  size_t first = kept.size() > static_cast<size_t>(maxLines) ? kept.size() - maxLines : 0;
  std::string out;
  for (size_t i = first; i < kept.size(); ++i) out += fmt::format("{}  | {}", out.empty() ? "" : "\n", kept[i]);
  return out.empty() ? "  | (empty)" : out;
}

bool isPlainIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$')) return false;
  return true;
}

// The script quotes paths with double quotes; Yosys has no escape for a quote or a newline inside them.
fs::path checkedInputFile(const std::string& given, const std::string& fallback, std::string_view what) {
  std::string path = given.empty() ? fallback : given;
  if (path.find_first_of("\"\n\r") != std::string::npos)
    throw PpaError(
        fmt::format("{} path '{}' contains a quote or newline, which a Yosys script cannot carry", what, path));
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw PpaError(fmt::format("{} file '{}' does not exist or is not a regular file", what, path));
  // Yosys runs in the work directory, so relative paths must be pinned to the caller's directory now.
  fs::path abs = fs::absolute(path, ec);
  if (ec) throw PpaError(fmt::format("cannot resolve {} path '{}': {}", what, path, ec.message()));
  return abs;
}

// Owns the temporary directory so that every exit path, including exceptions, cleans up.
class WorkDir {
 public:
  explicit WorkDir(bool keep) : keep_(keep) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = fmt::format("{}/nf-ppa-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data()))
      throw PpaError(fmt::format("cannot create a temporary directory from '{}': {}", templ, std::strerror(errno)));
    path_ = buf.data();
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  ~WorkDir() {
    if (keep_) {
      fmt::print(stderr, "numforge ppa: work directory kept at {}\n", path_.string());
      return;
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  // Appended to error messages so a kept directory can be found again.
  std::string note() const { return keep_ ? fmt::format(" (work directory kept at {})", path_.string()) : ""; }

 private:
  fs::path path_;
  bool keep_;
};

struct ExitStatus {
  bool exited = false;
  int code = 0;  // exit code if exited, signal number otherwise
  std::string describe() const {
    return exited ? fmt::format("exit status {}", code)
                  : fmt::format("killed by signal {} ({})", code, strsignal(code));
  }
};

// The supervisor's record of yosys's process group, for its signal handler.
volatile sig_atomic_t g_supervisedGroup = 0;

void killSupervisedGroup(int sig) {
  if (g_supervisedGroup > 0) ::kill(-pid_t(g_supervisedGroup), SIGKILL);
  ::_exit(128 + sig);
}

// The helpers below run between fork and exec: async-signal-safe calls only.
void setDisposition(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  ::sigaction(sig, &sa, nullptr);
}

[[noreturn]] void reportErrnoAndExit(int fd) {
  const int e = errno;
  (void)!::write(fd, &e, sizeof e);
  ::_exit(127);
}

// Yosys runs under a small supervisor process, in a process group of its own together with the ABC processes
// it starts. However this process ends, even by SIGKILL, the kernel signals the supervisor (PR_SET_PDEATHSIG),
// which kills the whole group: an interrupted `numforge ppa` or benchmark leaves no yosys or berkeley-abc
// running. fork and execvp rather than std::system: no shell, so paths and names need no shell quoting, and a
// missing executable is reported as ENOENT instead of a shell's exit status 127.
ExitStatus spawnAndWait(const std::string& exe, const std::vector<std::string>& args, const fs::path& cwd,
                        const std::string& outputFile) {
  std::string program = exe;
  // A relative path containing '/' would be resolved after the chdir below, so pin it to our directory.
  if (program.find('/') != std::string::npos) {
    std::error_code ec;
    fs::path abs = fs::absolute(program, ec);
    if (!ec) program = abs.lexically_normal().string();
  }
  // Everything the children need is prepared here: after fork only async-signal-safe calls are allowed.
  std::vector<std::string> storage;
  storage.push_back(program);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string cwdStr = cwd.string();

  int errPipe[2];  // the exec's errno, if it fails; closed by a successful exec
  if (::pipe2(errPipe, O_CLOEXEC) != 0) throw PpaError(fmt::format("cannot start yosys: pipe: {}", std::strerror(errno)));
  sigset_t term, saved;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  const pid_t parent = ::getpid();
  const pid_t supervisor = ::fork();
  if (supervisor < 0) {
    const int e = errno;
    ::close(errPipe[0]);
    ::close(errPipe[1]);
    throw PpaError(fmt::format("cannot start yosys: fork: {}", std::strerror(e)));
  }
  if (supervisor == 0) {
    // Keep nothing of the parent's but stdio and our pipe: the supervisor never execs, and a concurrent
    // runPpa's pipe held open here would make that caller wait for this yosys to finish.
    if (errPipe[1] > 3) ::close_range(3, unsigned(errPipe[1]) - 1, 0);
    ::close_range(unsigned(errPipe[1]) + 1, ~0u, 0);
    // SIGTERM waits until the group is known, so the handler never misses it.
    ::sigprocmask(SIG_BLOCK, &term, &saved);
    setDisposition(SIGTERM, killSupervisedGroup);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    const pid_t child = ::fork();
    if (child == 0) {
      setDisposition(SIGTERM, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &saved, nullptr);
      ::setpgid(0, 0);
      int fd;
      if (::chdir(cwdStr.c_str()) != 0 || (fd = ::open("/dev/null", O_RDONLY)) < 0 || ::dup2(fd, STDIN_FILENO) < 0 ||
          (fd = ::open(outputFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || ::dup2(fd, STDOUT_FILENO) < 0 ||
          ::dup2(fd, STDERR_FILENO) < 0)
        reportErrnoAndExit(errPipe[1]);
      ::execvp(program.c_str(), argv.data());
      reportErrnoAndExit(errPipe[1]);
    }
    if (child < 0) reportErrnoAndExit(errPipe[1]);
    ::close(errPipe[1]);
    ::setpgid(child, child);  // also here: whichever of the two runs first, the group exists before we go on
    g_supervisedGroup = child;
    ::sigprocmask(SIG_SETMASK, &saved, nullptr);
    if (::getppid() != parent) killSupervisedGroup(SIGTERM);  // the parent died before PR_SET_PDEATHSIG
    int status = 0;
    while (::waitpid(child, &status, 0) < 0)
      if (errno != EINTR) killSupervisedGroup(SIGTERM);
    ::kill(-child, SIGKILL);  // nothing yosys started outlives it
    if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
    // Die of yosys's signal, so the parent reads the same status.
    ::prctl(PR_SET_PDEATHSIG, 0);
    setDisposition(WTERMSIG(status), SIG_DFL);
    ::sigprocmask(SIG_UNBLOCK, &term, nullptr);
    ::kill(::getpid(), WTERMSIG(status));
    ::_exit(128 + WTERMSIG(status));
  }
  ::close(errPipe[1]);
  int execErr = 0;
  ssize_t got;
  while ((got = ::read(errPipe[0], &execErr, sizeof execErr)) < 0 && errno == EINTR) {
  }
  ::close(errPipe[0]);
  int status = 0;
  while (::waitpid(supervisor, &status, 0) < 0) {
    if (errno != EINTR) throw PpaError(fmt::format("waiting for yosys failed: {}", std::strerror(errno)));
  }
  if (got == sizeof execErr) {
    if (execErr == ENOENT)
      throw PpaError(program.find('/') != std::string::npos
                         ? fmt::format("yosys executable '{}' does not exist", program)
                         : fmt::format("yosys executable '{}' not found on PATH; install Yosys 0.23 or set "
                                       "PpaOptions::yosys",
                                       program));
    throw PpaError(fmt::format("cannot start yosys '{}': {}", program, std::strerror(execErr)));
  }
  if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
  return {false, WTERMSIG(status)};
}

struct StatFigures {
  std::optional<double> area;
  std::optional<int> cells;
  int flops = 0;
};

// stat prints one "=== name ===" section per module; after -flatten only the top should exist, but reading
// the top's own section keeps a stray leftover module from being counted.
StatFigures parseStat(std::string_view text, const std::string& top) {
  StatFigures fig;
  std::vector<std::string_view> lines = splitLines(text);
  const std::string header = fmt::format("=== {} ===", top);
  size_t i = 0;
  while (i < lines.size() && trim(lines[i]) != header) ++i;
  if (i == lines.size()) return fig;
  const std::string areaEscaped = fmt::format("Chip area for module '\\{}':", top);
  const std::string areaPlain = fmt::format("Chip area for module '{}':", top);
  for (++i; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.starts_with("===") || line.starts_with("design hierarchy")) break;
    if (line.starts_with("Number of cells:")) {
      fig.cells = parseInt(line.substr(std::string_view("Number of cells:").size()));
      // The per-type breakdown follows, one "TYPE COUNT" line each, up to a blank line.
      for (; i + 1 < lines.size(); ++i) {
        std::string_view entry = trim(lines[i + 1]);
        size_t sp = entry.find_first_of(" \t");
        if (entry.empty() || sp == std::string_view::npos) break;
        std::optional<int> n = parseInt(entry.substr(sp));
        if (!n) break;
        std::string_view type = entry.substr(0, sp);
        if (type.starts_with("DFF") || type.starts_with("SDFF")) fig.flops += *n;
      }
    } else if (line.starts_with(areaEscaped)) {
      fig.area = parseDouble(line.substr(areaEscaped.size()));
    } else if (line.starts_with(areaPlain)) {
      fig.area = parseDouble(line.substr(areaPlain.size()));
    }
  }
  return fig;
}

// ABC reports "Delay = <x> ps" for the netlist it mapped against the liberty; only our final `abc` pass uses
// the liberty, so only lines after the last ABC pass header count. If that pass had no combinational logic
// to map (e.g. registers wired straight through), Yosys says so and the critical path is zero.
std::optional<double> parseDelay(std::string_view log) {
  size_t start = log.rfind("Executing ABC pass");
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view lastPass = log.substr(start);
  std::optional<double> delay;
  for (std::string_view line : splitLines(lastPass)) {
    size_t at = line.find("Delay =");
    if (at == std::string_view::npos) continue;
    std::string_view rest = trim(line.substr(at + std::string_view("Delay =").size()));
    size_t end = rest.find_first_of(" \t");
    if (end == std::string_view::npos || !trim(rest.substr(end)).starts_with("ps")) continue;
    if (auto v = parseDouble(rest.substr(0, end))) delay = v;
  }
  if (!delay && lastPass.find("Don't call ABC as there is nothing to map.") != std::string_view::npos) return 0.0;
  return delay;
}

}  // namespace

std::string defaultLiberty() {
  return std::string(NF_SOURCE_DIR) + "/synth/nangate45/NangateOpenCellLibrary_typical.lib";
}

std::string defaultConstraints() { return std::string(NF_SOURCE_DIR) + "/constraints/nangate45_typical.constr"; }

PpaResult runPpa(const std::string& verilogText, const std::string& topModule, const PpaOptions& opt) {
  // The name is spliced into the script and the stat section header, so only plain identifiers are safe.
  if (!isPlainIdentifier(topModule))
    throw PpaError(fmt::format("top module name '{}' is not a plain Verilog identifier", topModule));
  const fs::path liberty = checkedInputFile(opt.liberty, defaultLiberty(), "liberty");
  const fs::path constraints = checkedInputFile(opt.constraints, defaultConstraints(), "constraints");
  if (liberty.extension() == ".gz")
    throw PpaError(fmt::format("liberty file '{}' is gzipped; ABC in Yosys 0.23 needs it uncompressed",
                               liberty.string()));

  WorkDir work(opt.keepWorkDir);
  const std::string lib = liberty.string();
  const std::string script = fmt::format(
      "read_liberty -lib \"{0}\"\n"
      "read_verilog design.v\n"
      "synth -top {1} -flatten\n"
      "dfflibmap -liberty \"{0}\"\n"
      "abc -constr \"{2}\" -liberty \"{0}\"\n"
      "opt_clean -purge\n"
      "hilomap -hicell LOGIC1_X1 Z -locell LOGIC0_X1 Z\n"
      "tee -q -o stat.txt stat -liberty \"{0}\"\n",
      lib, topModule, constraints.string());
  if (!writeFile(work.path() / "design.v", verilogText) || !writeFile(work.path() / "flow.ys", script))
    throw PpaError(fmt::format("cannot write the design and script into '{}'", work.path().string()));

  ExitStatus st = spawnAndWait(opt.yosys, {"-q", "-l", "yosys.log", "-s", "flow.ys"}, work.path(), "yosys.out");

  PpaResult r;
  r.yosysLog = readFile(work.path() / "yosys.log").value_or("");
  if (!st.exited || st.code != 0) {
    // Yosys writes its log only after start-up; if that never happened the console output is all there is.
    std::string_view evidence = r.yosysLog;
    std::string console;
    if (trim(evidence).empty()) {
      console = readFile(work.path() / "yosys.out").value_or("");
      evidence = console;
    }
    throw PpaError(fmt::format("yosys failed ({}) synthesizing top module '{}'{}; last lines of the Yosys log:\n{}",
                               st.describe(), topModule, work.note(), tail(evidence, kLogTailLines)));
  }

  std::optional<std::string> stat = readFile(work.path() / "stat.txt");
  if (!stat)
    throw PpaError(fmt::format("yosys succeeded but wrote no stat.txt for top module '{}'{}; last lines of the "
                               "Yosys log:\n{}",
                               topModule, work.note(), tail(r.yosysLog, kLogTailLines)));
  StatFigures fig = parseStat(*stat, topModule);
  // stat omits the area line when the design has no cells at all (only wires): its area is then truly zero.
  if (!fig.area && fig.cells == 0) fig.area = 0.0;
  if (!fig.area || !fig.cells)
    throw PpaError(fmt::format("the Yosys stat report lacks the {} of top module '{}'{}; report:\n{}",
                               !fig.area ? "\"Chip area for module\" line" : "\"Number of cells:\" line", topModule,
                               work.note(), tail(*stat, kLogTailLines)));
  std::optional<double> delay = parseDelay(r.yosysLog);
  if (!delay)
    throw PpaError(fmt::format("the Yosys log has no ABC \"Delay = ... ps\" line for top module '{}'{}; last lines "
                               "of the Yosys log:\n{}",
                               topModule, work.note(), tail(r.yosysLog, kLogTailLines)));

  r.areaUm2 = *fig.area;
  r.areaNand2 = r.areaUm2 / kNand2AreaUm2;
  r.cells = *fig.cells;
  r.flops = fig.flops;
  r.delayPs = *delay;
  return r;
}

nlohmann::json toJson(const PpaResult& r) {
  return {{"area_um2", r.areaUm2}, {"area_nand2", r.areaNand2}, {"cells", r.cells}, {"flops", r.flops},
          {"delay_ps", r.delayPs}};
}

}  // namespace nf::synth
