#include "testutil/cli_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace leadscore::testutil
