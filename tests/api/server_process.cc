#include "api/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

namespace leadscore::testutil {
namespace {

using Clock = std::chrono::steady_clock;

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

int PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool ServerProcess::Spawn(const ServeOptions& options, int port, std::string& error) {
  std::string log_path = dir_.File("server.log");
  std::vector<std::string> args = {LEADSCORE_BINARY, "serve",
                                   "--db",           options.db,
                                   "--listen",       "127.0.0.1:" + std::to_string(port)};
  if (!options.model.empty()) args.insert(args.end(), {"--model", options.model});
  if (!options.config.empty()) args.insert(args.end(), {"--config", options.config});
  args.insert(args.end(), options.extra.begin(), options.extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The child starts with no signal blocked and SIGTERM/SIGINT at their defaults, whatever the
  // test's threads did; the server then takes them over with sigwait.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int rc = posix_spawn(&pid_, LEADSCORE_BINARY, &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    error = std::string("cannot start " LEADSCORE_BINARY ": ") + strerror(rc);
    return false;
  }
  port_ = port;
  return true;
}

bool ServerProcess::Reap(int& status) {
  if (pid_ <= 0) return false;
  pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done != pid_) return false;
  pid_ = -1;
  return true;
}

::testing::AssertionResult ServerProcess::Start(const ServeOptions& options,
                                                std::chrono::milliseconds deadline) {
  if (running()) return ::testing::AssertionFailure() << "the server is already running";
  const auto give_up = Clock::now() + deadline;
  std::string error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = PickFreePort();
    if (port == 0) return ::testing::AssertionFailure() << "no free loopback port";
    if (!Spawn(options, port, error)) return ::testing::AssertionFailure() << error;
    auto client = Client();
    client->set_connection_timeout(std::chrono::milliseconds(200));
    client->set_read_timeout(std::chrono::seconds(2));
    int status = 0;
    while (Clock::now() < give_up) {
      if (Reap(status)) break;
      auto res = client->Get("/health");
      if (res && res->status == 200) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (running()) {
      std::string text = log();
      Stop(std::chrono::seconds(2));
      return ::testing::AssertionFailure()
             << "GET /health did not answer within " << deadline.count() << " ms; server log:\n"
             << text;
    }
    // It exited: retry only when the port was taken meanwhile.
    std::string text = log();
    if (text.find("cannot listen") == std::string::npos) {
      return ::testing::AssertionFailure()
             << "leadscore serve exited with " << ExitCodeOf(status) << "; server log:\n"
             << text;
    }
  }
  return ::testing::AssertionFailure() << "no port could be bound; server log:\n" << log();
}

int ServerProcess::Stop(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto give_up = Clock::now() + deadline;
  int status = 0;
  while (Clock::now() < give_up) {
    if (Reap(status)) return ExitCodeOf(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string ServerProcess::log() const { return dir_.Read("server.log"); }

std::unique_ptr<httplib::Client> ServerProcess::Client() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client->set_connection_timeout(std::chrono::seconds(10));
  client->set_read_timeout(std::chrono::seconds(10));
  client->set_write_timeout(std::chrono::seconds(10));
  return client;
}

}  // namespace leadscore::testutil
