#include "testutil/cli_runner.h"

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

extern char** environ;

namespace leadscore::testutil {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

RunResult RunLeadscore(const std::vector<std::string>& args) { return RunLeadscoreIn("", args); }

RunResult RunLeadscoreWithStdin(const std::vector<std::string>& args,
                                const std::string& stdin_path) {
  return RunLeadscoreIn("", args, stdin_path);
}

RunResult RunLeadscoreWithFileSizeLimit(const std::vector<std::string>& args, long max_bytes) {
  // The limit and the ignored signal are inherited by the spawned program; this process gets
  // its own back at once.
  struct rlimit before {};
  ::getrlimit(RLIMIT_FSIZE, &before);
  struct rlimit limited = before;
  limited.rlim_cur = static_cast<rlim_t>(max_bytes);
  void (*handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
  ::setrlimit(RLIMIT_FSIZE, &limited);
  RunResult result = RunLeadscoreIn("", args);
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, handler);
  return result;
}

RunResult RunLeadscoreOnTerminal(const std::vector<std::string>& args, const std::string& typed) {
  int terminal = -1, program_side = -1;
  if (::openpty(&terminal, &program_side, nullptr, nullptr, nullptr) != 0) {
    RunResult none;
    none.exit_code = kNoTerminal;
    none.err = "cannot open a pseudo-terminal";
    return none;
  }
  // Neither end may stay open in the program: its own copy of the terminal's end would keep
  // the hang-up below from reaching it.
  ::fcntl(terminal, F_SETFD, FD_CLOEXEC);
  ::fcntl(program_side, F_SETFD, FD_CLOEXEC);
  // The line discipline holds what is typed until the program reads it; Ctrl-D at the start
  // of a line ends its input.
  const std::string keys = typed + "\x04";
  bool typed_all = ::write(terminal, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size());
  // A program that reads past Ctrl-D would wait for ever: after 30 s the terminal is hung up,
  // which ends its reads.
  std::mutex mutex;
  std::condition_variable ended;
  bool finished = false, hung_up = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!ended.wait_for(lock, std::chrono::seconds(30), [&] { return finished; })) {
      ::close(terminal);
      hung_up = true;
    }
  });
  RunResult result = RunLeadscoreIn("", args, ::ttyname(program_side));
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  ended.notify_one();
  watchdog.join();
  ::close(program_side);
  if (!hung_up) ::close(terminal);
  if (!typed_all) result.err += "\n(the test could not type its input)";
  if (hung_up) {
    result.exit_code = kHungUp;
    result.err += "\n(still reading 30 s after Ctrl-D: the terminal was hung up)";
  }
  return result;
}

RunResult RunLeadscoreIn(const std::string& cwd, const std::vector<std::string>& args,
                         const std::string& stdin_path) {
  TempDir io;
  std::string out_path = io.File("stdout"), err_path = io.File("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<std::string> argv_strings = {LEADSCORE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  RunResult result;
  if (posix_spawn(&pid, LEADSCORE_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
    result.err = "cannot start " LEADSCORE_BINARY;
    return result;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  result.peak_rss_kb = usage.ru_maxrss;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  return result;
}

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "leadscore-test-XXXXXX").string();
  path_ = ::mkdtemp(templ.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string path = File(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string TempDir::Read(const std::string& name) const { return Slurp(File(name)); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> FilesStartingWith(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace leadscore::testutil
