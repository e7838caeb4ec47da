// promqltest: runs PromQL test scripts (*.test, Prometheus's promqltest
// format) against Strata's engine and reports, per file, what passed,
// failed and was skipped.
//
//   promqltest [--known-failures FILE] [DIR|FILE.test]...
//
// Without paths it runs $STRATA_PROMQLTEST_DIR, else ../shared/promqltest
// beside the source tree. The last line is exactly
// "N passed, N failed, N skipped". The exit status is non-zero when an eval
// fails that the known-failures file does not list ("file:line  reason" per
// line, file by base name, '#' comments), or when CI=true and a directory
// holds no script; outside CI a missing directory is reported loudly and
// skipped.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "tests/promql/promqltest/runner.h"
#include "tests/promql/promqltest/text_util.h"

#ifndef STRATA_SOURCE_DIR
#define STRATA_SOURCE_DIR "."
#endif

namespace strata::promqltest {
namespace {

namespace fs = std::filesystem;
using Kind = EvalOutcome::Kind;

struct Args {
  std::string known_failures;
  std::vector<std::string> paths;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--known-failures" && i + 1 < argc) {
      args->known_failures = argv[++i];
    } else if (a.starts_with("--known-failures=")) {
      args->known_failures = a.substr(17);
    } else if (a.starts_with("-")) {
      std::cerr << "usage: promqltest [--known-failures FILE] [DIR|FILE.test]...\n";
      return false;
    } else {
      args->paths.push_back(a);
    }
  }
  if (args->paths.empty()) {
    const char* env = std::getenv("STRATA_PROMQLTEST_DIR");
    args->paths.push_back(env != nullptr && *env != '\0'
                              ? std::string(env)
                              : std::string(STRATA_SOURCE_DIR) + "/../shared/promqltest");
  }
  return true;
}

// "file:line" keys of the known-failures file.
bool LoadKnownFailures(const std::string& path, std::set<std::string>* keys) {
  if (path.empty()) return true;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "promqltest: cannot read known-failures file " << path << "\n";
    return false;
  }
  for (std::string line; std::getline(in, line);) {
    std::string_view l = Trim(line);
    if (l.empty() || l.starts_with("#")) continue;
    keys->insert(std::string(l.substr(0, l.find_first_of(" \t"))));
  }
  return true;
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// The scripts a path names; reports (loudly, or as an error in CI) a path
// without any. Returns false when that must fail the run.
bool CollectScripts(const std::string& path, std::vector<std::string>* files) {
  std::error_code ec;
  std::vector<std::string> found;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".test") found.push_back(e.path());
    }
    std::sort(found.begin(), found.end());
  } else if (fs::is_regular_file(path, ec)) {
    found.push_back(path);
  }
  if (!found.empty()) {
    files->insert(files->end(), found.begin(), found.end());
    return true;
  }
  if (InCi()) {
    std::cerr << "promqltest: ERROR: no PromQL test scripts found at " << path << " (CI=true)\n";
    return false;
  }
  std::cerr << "\n*********************************************************************\n"
            << "promqltest: SKIPPED " << path << ": no PromQL test scripts found there.\n"
            << "Set STRATA_PROMQLTEST_DIR or pass the directory to run them.\n"
            << "*********************************************************************\n\n";
  return true;
}

const char* KindName(Kind k) {
  return k == Kind::kFailed ? "FAIL" : k == Kind::kSkipped ? "SKIP" : "PASS";
}

// Prints one file's summary and its failures and skips; returns how many
// failures are not known.
int Report(const FileResult& r, const std::set<std::string>& known,
           std::set<std::string>* known_hit) {
  const std::string base = fs::path(r.file).filename().string();
  std::cout << r.file << ": " << r.Count(Kind::kPassed) << " passed, " << r.Count(Kind::kFailed)
            << " failed, " << r.Count(Kind::kSkipped) << " skipped\n";
  int unknown = 0;
  for (const EvalOutcome& o : r.outcomes) {
    if (o.kind == Kind::kPassed) continue;
    const std::string key = Cat(base, ":", o.line);
    std::string tag = KindName(o.kind);
    if (o.kind == Kind::kFailed) {
      if (known.contains(key)) {
        known_hit->insert(key);
        tag += " (known)";
      } else {
        ++unknown;
      }
    }
    std::cout << "  " << tag << " " << key;
    if (!o.query.empty()) std::cout << "  " << o.query;
    std::cout << "\n      " << o.message << "\n";
  }
  return unknown;
}

int Main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) return 2;
  std::set<std::string> known, known_hit;
  if (!LoadKnownFailures(args.known_failures, &known)) return 2;
  std::vector<std::string> files;
  bool ok = true;
  for (const std::string& p : args.paths) ok &= CollectScripts(p, &files);
  Runner runner;
  int passed = 0, failed = 0, skipped = 0, unknown = 0;
  for (const std::string& f : files) {
    FileResult r = runner.RunFile(f);
    unknown += Report(r, known, &known_hit);
    passed += r.Count(Kind::kPassed);
    failed += r.Count(Kind::kFailed);
    skipped += r.Count(Kind::kSkipped);
  }
  std::set<std::string> run;
  for (const std::string& f : files) run.insert(fs::path(f).filename().string());
  for (const std::string& k : known) {
    if (!known_hit.contains(k) && run.contains(k.substr(0, k.rfind(':')))) {
      std::cout << "note: known failure " << k << " did not fail\n";
    }
  }
  if (unknown > 0) {
    std::cout << unknown << " failure(s) not listed in the known-failures file\n";
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return ok && unknown == 0 ? 0 : 1;
}

}  // namespace
}  // namespace strata::promqltest

int main(int argc, char** argv) { return strata::promqltest::Main(argc, argv); }
