// What the synthesis tools (Yosys for PPA, OpenSTA for sign-off timing and power) share: a temporary work
// directory, a supervised child process that dies with us, and the small text helpers their reports need.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "synth/ppa.h"

namespace nf::synth::tools {

namespace fs = std::filesystem;

std::vector<std::string_view> splitLines(std::string_view text);
std::string_view trim(std::string_view s);
// Locale-independent, so a host locale with ',' decimals cannot corrupt the figures.
std::optional<double> parseDouble(std::string_view s);
std::optional<int> parseInt(std::string_view s);
std::optional<std::string> readFile(const fs::path& path);
bool writeFile(const fs::path& path, std::string_view text);
// The last maxLines lines of a tool log, indented, without the tool's banner and known harmless warnings.
std::string tail(std::string_view text, int maxLines);
bool isPlainIdentifier(std::string_view s);
// given (or fallback when empty) as an absolute path to an existing regular file; PpaError naming `what` if not.
fs::path checkedInputFile(const std::string& given, const std::string& fallback, std::string_view what);

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


// Whether exe names an executable: a path, or a file on $PATH.
bool executableExists(const std::string& exe);

// A tool to run: its name in messages, the executable, and what to tell a user who lacks it.
struct ToolCommand {
  std::string name;
  std::string executable;
  std::string missingHint;
};

// Runs tool with args in cwd, stdout and stderr to outputFile, under a supervisor that kills the tool's whole
// process group if this process dies. Throws PpaError if it cannot be started (naming tool.missingHint).
ExitStatus spawnAndWait(const ToolCommand& tool, const std::vector<std::string>& args, const fs::path& cwd,
                        const std::string& outputFile);

}  // namespace nf::synth::tools
