// The processes and files the synthesis tools (Yosys, OpenSTA) run with: see tool_run.h.
#include "synth/tool_run.h"

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
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace nf::synth::tools {
namespace {
// Yosys 0.23 cannot parse the scan-flop pin functions of the NanGate library; it skips those cells, which the
// flow never needs, so these lines are noise in error messages.
constexpr std::string_view kHarmlessWarning = "'SE*SI+D*!SE'";
}  // namespace



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

namespace {
// The supervisor's record of the tool's process group, for its signal handler.
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

}  // namespace

// The tool (Yosys, OpenSTA) runs under a small supervisor process, in a process group of its own with the processes
// it starts. However this process ends, even by SIGKILL, the kernel signals the supervisor (PR_SET_PDEATHSIG),
// which kills the whole group: an interrupted `numforge ppa` or benchmark leaves no yosys, berkeley-abc or sta
// running. fork and execvp rather than std::system: no shell, so paths and names need no shell quoting, and a
// missing executable is reported as ENOENT instead of a shell's exit status 127.
ExitStatus spawnAndWait(const ToolCommand& tool, const std::vector<std::string>& args, const fs::path& cwd,
                        const std::string& outputFile) {
  const std::string& exe = tool.executable;
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
  if (::pipe2(errPipe, O_CLOEXEC) != 0) throw PpaError(fmt::format("cannot start {}: pipe: {}", tool.name, std::strerror(errno)));
  sigset_t term, saved;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  const pid_t parent = ::getpid();
  const pid_t supervisor = ::fork();
  if (supervisor < 0) {
    const int e = errno;
    ::close(errPipe[0]);
    ::close(errPipe[1]);
    throw PpaError(fmt::format("cannot start {}: fork: {}", tool.name, std::strerror(e)));
  }
  if (supervisor == 0) {
    // Keep nothing of the parent's but stdio and our pipe: the supervisor never execs, and a concurrent
    // runPpa's pipe held open here would make that caller wait for this tool to finish.
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
    ::kill(-child, SIGKILL);  // nothing the tool started outlives it
    if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
    // Die of the tool's signal, so the parent reads the same status.
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
    if (errno != EINTR) throw PpaError(fmt::format("waiting for {} failed: {}", tool.name, std::strerror(errno)));
  }
  if (got == sizeof execErr) {
    if (execErr == ENOENT)
      throw PpaError(program.find('/') != std::string::npos
                         ? fmt::format("{} executable '{}' does not exist", tool.name, program)
                         : fmt::format("{} executable '{}' not found on PATH; {}", tool.name, program, tool.missingHint));
    throw PpaError(fmt::format("cannot start {} '{}': {}", tool.name, program, std::strerror(execErr)));
  }
  if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
  return {false, WTERMSIG(status)};
}

bool executableExists(const std::string& exe) {
  if (exe.find('/') != std::string::npos) return ::access(exe.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const fs::path candidate = fs::path(dir.empty() ? std::string_view(".") : dir) / exe;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return false;
}

}  // namespace nf::synth::tools
