// Timed execution of the query suite (runner.h).
#include "bench/querybench/runner.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "fmt/format.h"
#include "httplib.h"

namespace strata::querybench {
namespace {

using Clock = std::chrono::steady_clock;

// One system's connection and what it answered to the current query.
class Endpoint {
 public:
  Endpoint(const System& system, const RunOptions& options)
      : client_(system.url.host, system.url.port) {
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);
    client_.set_connection_timeout(std::chrono::seconds(5));
    client_.set_read_timeout(options.timeout);
    client_.set_write_timeout(options.timeout);
    client_.set_decompress(false);
  }

  // Sends `path`; returns the latency in ms, or a negative value on failure
  // (then failure() says why). The body stays available in body().
  double Ask(const std::string& path) {
    const Clock::time_point start = Clock::now();
    httplib::Result res = client_.Get(path);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!res) {
      failure_ = fmt::format("connection error: {}", httplib::to_string(res.error()));
      body_.clear();
      return -1;
    }
    body_ = std::move(res->body);
    if (res->status != 200) {
      failure_ = fmt::format("HTTP {}", res->status);
      return -1;
    }
    return ms;
  }

  const std::string& body() const { return body_; }
  const std::string& failure() const { return failure_; }

 private:
  httplib::Client client_;
  std::string body_;
  std::string failure_;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  if (p == 50) {
    const size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }
  const size_t rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

QueryResult RunQuery(const Query& query, const std::vector<System>& systems,
                     std::vector<std::unique_ptr<Endpoint>>& endpoints, const RunOptions& options) {
  const std::string path = RequestPath(query);
  const size_t n = endpoints.size();
  QueryResult result;
  result.query = query;
  result.systems.resize(n);
  std::vector<bool> failed(n, false);

  for (size_t s = 0; s < n; ++s) {
    // Without warm-up requests, the first timed request's answer is kept.
    for (int w = 0; w < options.warmup && !failed[s]; ++w) {
      failed[s] = endpoints[s]->Ask(path) < 0;
      if (w == 0) result.systems[s].answer = endpoints[s]->body();
    }
  }
  for (int r = 0; r < options.reps; ++r) {
    for (size_t i = 0; i < n; ++i) {
      const size_t s = r % 2 == 0 ? i : n - 1 - i;
      if (failed[s]) continue;  // a failing query stays failing: do not wait on it again
      const double ms = endpoints[s]->Ask(path);
      if (result.systems[s].answer.empty()) result.systems[s].answer = endpoints[s]->body();
      if (ms < 0) {
        failed[s] = true;
      } else {
        result.systems[s].latencies_ms.push_back(ms);
      }
    }
  }
  for (size_t s = 0; s < n; ++s) {
    SystemResult& sr = result.systems[s];
    if (failed[s]) sr.failure = endpoints[s]->failure();
    DeriveStatistics(&sr);
  }
  CompareWithFirst(systems, options.tolerance, &result);
  return result;
}

}  // namespace

void DeriveStatistics(SystemResult* result) {
  result->median_ms = Percentile(result->latencies_ms, 50);
  result->p90_ms = Percentile(result->latencies_ms, 90);
  result->summary = Summarize(result->answer);
}

void CompareWithFirst(const std::vector<System>& systems, const Tolerance& tolerance,
                      QueryResult* result) {
  result->vs_first.clear();
  const SystemResult& first = result->systems[0];
  for (size_t s = 1; s < result->systems.size(); ++s) {
    result->vs_first.push_back(CompareAnswers(first.answer, result->systems[s].answer,
                                              systems[0].name, systems[s].name, tolerance));
  }
}

std::vector<QueryResult> RunSuite(const std::vector<Query>& suite,
                                  const std::vector<System>& systems, const RunOptions& options) {
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  for (const System& system : systems) {
    endpoints.push_back(std::make_unique<Endpoint>(system, options));
  }
  std::vector<QueryResult> results;
  for (const Query& query : suite) {
    results.push_back(RunQuery(query, systems, endpoints, options));
    if (options.progress) {
      std::string line = fmt::format("  {:<22}", query.name);
      for (size_t s = 0; s < systems.size(); ++s) {
        const SystemResult& sr = results.back().systems[s];
        line += sr.failure.empty() ? fmt::format(" {} {:.1f} ms", systems[s].name, sr.median_ms)
                                   : fmt::format(" {} failed ({})", systems[s].name, sr.failure);
      }
      for (const Comparison& c : results.back().vs_first) line += c.equal ? " equal" : " DIFFERENT";
      fmt::print(stderr, "{}\n", line);
    }
  }
  return results;
}

}  // namespace strata::querybench
