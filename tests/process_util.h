// Starting and stopping the project's binaries from tests.
#ifndef STRATA_TESTS_PROCESS_UTIL_H_
#define STRATA_TESTS_PROCESS_UTIL_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace strata::testing {

// A free TCP port on 127.0.0.1 (bound once, then released).
int FreeLocalPort();

// A child process running `argv` (argv[0] is the path), with stdout and
// stderr redirected to `log_path`. Killed with SIGKILL on destruction if
// still running.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::string& log_path);
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  // Sends `sig` and waits up to `timeout_ms`; returns the exit status
  // (WEXITSTATUS), 128+signal if killed by a signal, or -1 on timeout.
  int Stop(int sig, int timeout_ms);

 private:
  pid_t pid_ = -1;
};

// Runs `cmd` with /bin/sh, returning its exit status; stdout goes to *out.
int RunCommand(const std::string& cmd, std::string* out);

}  // namespace strata::testing

#endif  // STRATA_TESTS_PROCESS_UTIL_H_
