// ServerProcess: the real `leadscore serve` as a child process on a free loopback port, for
// the API tests, which drive it over HTTP as any client would.
//
// Start() spawns the binary (posix_spawn, stdout and stderr into a log file) and returns once
// GET /health answers 200; Stop() sends SIGTERM and returns the exit status. A server still
// running when the object goes away is killed with SIGKILL. One object per server; not
// thread-safe (a test drives it from one thread).
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "testutil/cli_runner.h"

namespace leadscore::testutil {

struct ServeOptions {
  std::string db;                  // --db: a SQLite path or a postgresql:// URL
  std::string model;               // --model; empty: none
  std::string config;              // --config; empty: none
  std::vector<std::string> extra;  // further flags, e.g. {"--sweep-interval", "1h"}
};

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Picks a free loopback port, starts `leadscore serve` on it and waits until GET /health
  // answers 200 or `deadline` passes. A port taken between the pick and the bind is retried
  // with another. On failure the message holds the server's output. REQUIRES: !running().
  ::testing::AssertionResult Start(const ServeOptions& options,
                                   std::chrono::milliseconds deadline = std::chrono::seconds(10));

  // SIGTERM, then waits up to `deadline` for the exit. Returns the exit code, 128 + signal when
  // a signal ended it, or -1 when it did not stop in time (it is then killed). -1 when not running.
  int Stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // Everything the server printed so far (stdout and stderr).
  std::string log() const;

  // A new client for this server: 127.0.0.1:port(), 10 s timeouts.
  std::unique_ptr<httplib::Client> Client() const;

 private:
  // Spawns once on `port`; false with `error` set when the spawn itself fails.
  bool Spawn(const ServeOptions& options, int port, std::string& error);
  // Reaps the child if it exited; returns true (and sets `status`) when it has.
  bool Reap(int& status);

  TempDir dir_;  // the log
  pid_t pid_ = -1;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that nobody listened on a moment ago (bound to port 0, then closed);
// 0 on failure.
int PickFreePort();

}  // namespace leadscore::testutil
