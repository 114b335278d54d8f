// Runs the leadscore binary the way a user does and captures what it prints.
#pragma once

#include <string>
#include <vector>

namespace leadscore::testutil {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  long peak_rss_kb = 0;  // the run's peak resident memory
};

// Runs build/leadscore with `args` (each passed as one argument, no shell expansion).
RunResult RunLeadscore(const std::vector<std::string>& args);

// The same, with standard input read from `stdin_path` (a file, or a FIFO whose writer is
// another thread), rather than /dev/null.
RunResult RunLeadscoreWithStdin(const std::vector<std::string>& args,
                                const std::string& stdin_path);

// The same, with standard input a terminal (a pseudo-terminal) on which `typed` is typed, then
// Ctrl-D; standard output and error are captured as above.
// exit_code is kNoTerminal when this machine has no pseudo-terminals (no /dev/ptmx), and
// kHungUp when the program still read 30 s after Ctrl-D, and the terminal was hung up.
inline constexpr int kNoTerminal = -2;
inline constexpr int kHungUp = -3;
RunResult RunLeadscoreOnTerminal(const std::vector<std::string>& args, const std::string& typed);

// The same, with no file the program writes growing past `max_bytes` (RLIMIT_FSIZE; SIGXFSZ
// ignored): a write past it fails with EFBIG, "File too large", as a full disk fails one, on
// any machine and without root.
RunResult RunLeadscoreWithFileSizeLimit(const std::vector<std::string>& args, long max_bytes);

// The same, run in the directory `cwd`, where relative paths of `args` are read.
RunResult RunLeadscoreIn(const std::string& cwd, const std::vector<std::string>& args,
                         const std::string& stdin_path = "/dev/null");

// The names of the files in `dir` that start with `prefix`, sorted: what a failed write left.
std::vector<std::string> FilesStartingWith(const std::string& dir, const std::string& prefix);

// The lines of `text` (of a command's output), without their line ends.
std::vector<std::string> Lines(const std::string& text);

// A fresh temporary directory, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;
  std::string Read(const std::string& name) const;
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace leadscore::testutil
