// The OpenMetrics codec (tools/openmetrics.h): every syntax element, every
// error with its position, exact timestamp conversion, Go-compatible value
// text, and bit-exact format -> parse round trips.
#include "tools/openmetrics.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/base/mem_fs.h"

namespace strata::tools {
namespace {

struct Got {
  std::string labels;  // Labels::ToString of the delivered set
  int64_t t = 0;
  uint64_t bits = 0;
  uint64_t line = 0;
};
struct GotMeta {
  std::string family;
  MetadataKind kind;
  MetricType type;
  std::string text;
};

struct Collector {
  std::vector<Got> samples;
  std::vector<GotMeta> metadata;
  std::vector<Labels> label_sets;
  OmCallbacks callbacks() {
    OmCallbacks cb;
    cb.sample = [this](const OmSample& s) {
      Labels ls = Labels::FromSorted(s.labels);
      samples.push_back({ls.ToString(), s.t_ms, std::bit_cast<uint64_t>(s.value), s.line});
      label_sets.push_back(std::move(ls));
      return absl::OkStatus();
    };
    cb.metadata = [this](const OmMetadata& m) {
      metadata.push_back({std::string(m.family), m.kind, m.type, std::string(m.text)});
      return absl::OkStatus();
    };
    return cb;
  }
};

absl::Status Parse(std::string_view text, Collector* c) {
  return ParseOpenMetrics(text, c->callbacks());
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

TEST(OpenMetricsParse, EveryElement) {
  Collector c;
  const std::string text =
      "# TYPE http_requests counter\n"
      "# HELP http_requests Requests \\\"served\\\".\\nSecond line \\\\ \\t kept\n"
      "# UNIT http_request_seconds seconds\n"
      "# HELP empty \n"
      "http_requests_total{code=\"200\",method=\"GET\"} 1027 1700000000.123\n"
      "http_requests_total{method=\"POST\",code=\"500\",} 3 1700000000\n"
      "up 1 1700000000.5 # {trace_id=\"abc\"} 0.5 1700000000.4\n"
      "up{} 0 1700000001 # {} 1\n"
      "{\"my.metric\",\"a.b\"=\"c\",d=\"\"} -2.5e-3 -1.5\n"
      "esc{v=\"q\\\"b\\\\n\\nx\\ty\"} +Inf 0\n"
      "utf{v=\"h\xc3\xa9\"} -inf 1.1\n"
      "nan NaN 2\n"
      "# EOF\n";
  ASSERT_TRUE(Parse(text, &c).ok()) << Parse(text, &c);
  ASSERT_EQ(c.metadata.size(), 4u);
  EXPECT_EQ(c.metadata[0].family, "http_requests");
  EXPECT_EQ(c.metadata[0].kind, MetadataKind::kType);
  EXPECT_EQ(c.metadata[0].type, MetricType::kCounter);
  EXPECT_EQ(c.metadata[1].kind, MetadataKind::kHelp);
  EXPECT_EQ(c.metadata[1].text, "Requests \"served\".\nSecond line \\ \\t kept");
  EXPECT_EQ(c.metadata[2].kind, MetadataKind::kUnit);
  EXPECT_EQ(c.metadata[2].text, "seconds");
  EXPECT_EQ(c.metadata[3].text, "");

  ASSERT_EQ(c.samples.size(), 8u);
  EXPECT_EQ(c.samples[0].labels, "http_requests_total{code=\"200\", method=\"GET\"}");
  EXPECT_EQ(c.samples[0].t, 1700000000123);
  EXPECT_EQ(c.samples[0].bits, Bits(1027));
  EXPECT_EQ(c.samples[0].line, 5u);
  EXPECT_EQ(c.samples[1].labels, "http_requests_total{code=\"500\", method=\"POST\"}");
  EXPECT_EQ(c.samples[1].t, 1700000000000);
  EXPECT_EQ(c.samples[2].labels, "up");
  EXPECT_EQ(c.samples[2].t, 1700000000500);
  EXPECT_EQ(c.samples[3].labels, "up");
  EXPECT_EQ(c.samples[3].bits, Bits(0));
  // Quoted names; the empty label d="" is dropped.
  EXPECT_EQ(c.samples[4].labels, "{\"my.metric\", \"a.b\"=\"c\"}");
  EXPECT_EQ(c.samples[4].bits, Bits(-2.5e-3));
  EXPECT_EQ(c.samples[4].t, -1500);
  // \" \\ \n decoded; \t kept as written.
  EXPECT_EQ(c.label_sets[5].Get("v"), "q\"b\\n\nx\\ty");
  EXPECT_EQ(c.samples[5].bits, Bits(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(c.label_sets[6].Get("v"), "h\xc3\xa9");
  EXPECT_EQ(c.samples[6].bits, Bits(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(c.samples[6].t, 1100);
  EXPECT_EQ(c.samples[7].bits, kNormalNaNBits);
}

TEST(OpenMetricsParse, AnyChunkingGivesTheSameResult) {
  const std::string text =
      "# TYPE a gauge\na{x=\"1\"} 1 1\nb 2 2.5\n{\"c.d\"} 3 3\n# EOF";  // no final '\n'
  Collector whole;
  ASSERT_TRUE(Parse(text, &whole).ok());
  ASSERT_EQ(whole.samples.size(), 3u);
  for (size_t step : {1, 2, 3, 7}) {
    Collector c;
    OpenMetricsParser p(c.callbacks());
    for (size_t i = 0; i < text.size(); i += step) {
      ASSERT_TRUE(p.Feed(std::string_view(text).substr(i, step)).ok());
    }
    ASSERT_TRUE(p.Finish().ok()) << step;
    ASSERT_EQ(c.samples.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(c.samples[i].labels, whole.samples[i].labels);
      EXPECT_EQ(c.samples[i].t, whole.samples[i].t);
      EXPECT_EQ(c.samples[i].line, whole.samples[i].line);
    }
    EXPECT_EQ(c.metadata.size(), 1u);
  }
}

struct ErrorCase {
  std::string text;
  std::string error;
};

TEST(OpenMetricsParse, ErrorsNameLineAndColumn) {
  const std::vector<ErrorCase> cases = {
      {"a 1 1\n", "line 2: data does not end with # EOF"},
      {"a 1 1", "line 1: data does not end with # EOF"},
      {"", "line 1: data does not end with # EOF"},
      {"# EOF\na 1 1\n", "line 2, column 1: unexpected data after # EOF"},
      {"# EOF\n\n", "line 2, column 1: unexpected data after # EOF"},
      {"a 1 1\n\n# EOF\n", "line 2, column 1: empty line (not allowed in OpenMetrics)"},
      {"a 1 1\r\n# EOF\n",
       "line 1, column 6: carriage return (OpenMetrics lines end with \\n alone)"},
      {"# a comment\n# EOF\n",
       "line 1, column 1: invalid comment: OpenMetrics allows only # HELP, # TYPE, # UNIT and "
       "# EOF"},
      {"# TYPE a foo\n# EOF\n", "line 1, column 10: invalid metric type \"foo\""},
      {"# TYPE a\n# EOF\n",
       "line 1, column 9: expected ' ' and text after the metric name, got end of line"},
      {"# TYPE 1a gauge\n# EOF\n", "line 1, column 8: expected metric name, got '1'"},
      {"# UNIT a_bytes seconds\n# EOF\n",
       "line 1, column 16: unit \"seconds\" is not a suffix of metric \"a_bytes\""},
      {"# UNIT abytes bytes\n# EOF\n",
       "line 1, column 15: unit \"bytes\" is not a suffix of metric \"abytes\""},
      {"x 1 1\na{b} 1 1\n# EOF\n", "line 2, column 4: expected '=' after label name, got '}'"},
      {"a{b=c} 1 1\n# EOF\n", "line 1, column 5: expected quoted label value after '=', got 'c'"},
      {"a{b=\"c} 1 1\n# EOF\n", "line 1, column 5: unterminated quoted string"},
      {"a{b=\"c\" d=\"e\"} 1 1\n# EOF\n",
       "line 1, column 8: expected ',' or '}' after label, got ' '"},
      {"a{1=\"c\"} 1 1\n# EOF\n", "line 1, column 3: expected label name, got '1'"},
      {"a{b=\"\xff\"} 1 1\n# EOF\n", "line 1, column 5: invalid UTF-8 in quoted string"},
      {"a{b=\"1\",b=\"2\"} 1 1\n# EOF\n", "line 1, column 1: duplicate label name \"b\""},
      {"a{\"b\",\"c\"} 1 1\n# EOF\n", "line 1, column 3: metric name given twice"},
      {"{b=\"1\"} 1 1\n# EOF\n", "line 1, column 1: metric name not set"},
      {"{\"\"} 1 1\n# EOF\n", "line 1, column 2: empty metric name"},
      {"a{\"\"=\"x\"} 1 1\n# EOF\n", "line 1, column 3: empty label name"},
      {"1a 1 1\n# EOF\n", "line 1, column 1: expected metric name or '{', got '1'"},
      {"a\n# EOF\n", "line 1, column 2: expected ' ' and value after metric, got end of line"},
      {"a  1 1\n# EOF\n", "line 1, column 3: invalid value \"\""},
      {"a one 1\n# EOF\n", "line 1, column 3: invalid value \"one\""},
      {"a 0x1p3 1\n# EOF\n", "line 1, column 3: invalid value \"0x1p3\""},
      {"a 1_000 1\n# EOF\n", "line 1, column 3: invalid value \"1_000\""},
      {"a 1e400 1\n# EOF\n", "line 1, column 3: invalid value \"1e400\""},
      {"a +NaN 1\n# EOF\n", "line 1, column 3: invalid value \"+NaN\""},
      {"a 1\n# EOF\n",
       "line 1, column 4: expected timestamp after value, got none (import needs one per "
       "sample)"},
      {"a 1 # {x=\"y\"} 1\n# EOF\n",
       "line 1, column 5: expected timestamp after value, got none (import needs one per "
       "sample)"},
      {"a 1 NaN\n# EOF\n",
       "line 1, column 5: invalid timestamp \"NaN\" (want seconds, e.g. 1700000000.123)"},
      {"a 1 1e30\n# EOF\n", "line 1, column 5: timestamp \"1e30\" out of range"},
      {"a 1 1 \n# EOF\n",
       "line 1, column 7: expected end of line or ' # {' (an exemplar) after the timestamp, got "
       "end of line"},
      {"a 1 1 2\n# EOF\n",
       "line 1, column 7: expected end of line or ' # {' (an exemplar) after the timestamp, got "
       "'2'"},
      {"a 1 1 # {\"x\"} 1\n# EOF\n", "line 1, column 13: expected '=' after label name, got '}'"},
      {"a 1 1 # {x=\"y\"} z\n# EOF\n", "line 1, column 17: invalid exemplar value \"z\""},
      {"a 1 1 # {x=\"y\"} 1 t\n# EOF\n",
       "line 1, column 19: exemplar: invalid timestamp \"t\" (want seconds, e.g. "
       "1700000000.123)"},
  };
  for (const ErrorCase& c : cases) {
    Collector col;
    absl::Status s = Parse(c.text, &col);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(s.message(), c.error) << c.text;
  }
}

TEST(OpenMetricsParse, CallbackErrorsStopWithTheLine) {
  OmCallbacks cb;
  int calls = 0;
  cb.sample = [&](const OmSample&) {
    return ++calls == 2 ? absl::FailedPreconditionError("boom") : absl::OkStatus();
  };
  absl::Status s = ParseOpenMetrics("a 1 1\n# TYPE b gauge\nb 2 2\nc 3 3\n# EOF\n", cb);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "line 3: boom");
  EXPECT_EQ(calls, 2);
}

TEST(OpenMetricsParse, FileInChunks) {
  MemFileSystem fs;
  std::string text = "# TYPE m counter\n";
  for (int i = 0; i < 60000; ++i) {
    text += "m{i=\"" + std::to_string(i) + "\",pad=\"" + std::string(i % 17, 'p') + "\"} " +
            std::to_string(i) + " " + std::to_string(1700000000 + i) + ".25\n";
  }
  text += "# EOF\n";
  ASSERT_GT(text.size(), 2u << 20);  // several 1 MiB reads, lines split between them
  {
    auto f = fs.NewWritableFile("/in.om", true);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(text).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  uint64_t n = 0;
  OmCallbacks cb;
  cb.sample = [&](const OmSample& s) {
    EXPECT_EQ(s.t_ms, (1700000000 + static_cast<int64_t>(n)) * 1000 + 250);
    EXPECT_EQ(s.value, static_cast<double>(n));
    ++n;
    return absl::OkStatus();
  };
  ASSERT_TRUE(ParseOpenMetricsFile(&fs, "/in.om", cb).ok());
  EXPECT_EQ(n, 60000u);
  absl::Status missing = ParseOpenMetricsFile(&fs, "/none.om", cb);
  EXPECT_FALSE(missing.ok());
}

TEST(OpenMetricsNumbers, TimestampsConvertExactly) {
  const std::vector<std::pair<std::string, int64_t>> ok = {
      {"1700000000", 1700000000000},
      {"1700000000.1", 1700000000100},
      {"1700000000.12", 1700000000120},
      {"1700000000.123", 1700000000123},
      {"1700000000.1239", 1700000000123},  // truncated, as promtool's int64(ts*1000)
      {"1700000000.999999", 1700000000999},
      {"0.001", 1},
      {"0.0009", 0},
      {".5", 500},
      {"5.", 5000},
      {"+2", 2000},
      {"0", 0},
      {"-0", 0},
      {"-1.5", -1500},
      {"-1.2345", -1234},  // toward zero
      {"-0.0001", 0},
      {"1.7e9", 1700000000000},
      {"1E-3", 1},
      {"17000000001234e-4", 1700000000123},
      {"000012.5", 12500},
      {"9223372036854775.807", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775.807", -std::numeric_limits<int64_t>::max()},
  };
  for (const auto& [text, want] : ok) {
    int64_t ms = 42;
    EXPECT_EQ(ParseTimestampSeconds(text, &ms), "") << text;
    EXPECT_EQ(ms, want) << text;
  }
  for (const char* bad : {"", "-", ".", "e3", "1e", "1.2.3", "0x10", "Inf", "NaN", "1_0", " 1",
                          "1 ", "9223372036854775.808", "1e19", "99999999999999999999"}) {
    int64_t ms = 42;
    EXPECT_NE(ParseTimestampSeconds(bad, &ms), "") << bad;
    EXPECT_EQ(ms, 42) << bad;
  }
}

TEST(OpenMetricsNumbers, ValuesParseAsGo) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::string, double>> ok = {
      {"1", 1},
      {"-1", -1},
      {"+1.5", 1.5},
      {".5", 0.5},
      {"5.", 5},
      {"1e3", 1000},
      {"1E+3", 1000},
      {"2.5e-3", 2.5e-3},
      {"Inf", inf},
      {"+Inf", inf},
      {"-Inf", -inf},
      {"inf", inf},
      {"INFINITY", inf},
      {"-infinity", -inf},
      {"1e-400", 0},
      {"-1e-400", -0.0},
      {"4.9e-324", 5e-324},
      {"1.7976931348623157e308", 1.7976931348623157e308},
      {"0.1", 0.1},
  };
  for (const auto& [text, want] : ok) {
    double v = 42;
    EXPECT_TRUE(ParseGoFloat(text, &v)) << text;
    EXPECT_EQ(Bits(v), Bits(want)) << text;
  }
  double v;
  ASSERT_TRUE(ParseGoFloat("nan", &v));
  EXPECT_EQ(Bits(v), kNormalNaNBits);
  ASSERT_TRUE(ParseGoFloat("NaN", &v));
  EXPECT_EQ(Bits(v), kNormalNaNBits);
  for (const char* bad : {"", "+", "-", ".", "e1", "1e", "1e+", "0x1p-2", "0x10", "1_0", "1,5",
                          "+nan", "-NaN", "nan(1)", "infin", "1e309", "-1e309", " 1", "1 "}) {
    EXPECT_FALSE(ParseGoFloat(bad, &v)) << bad;
  }
}

std::string GoFloat(double v) {
  std::string s;
  AppendGoFloat(v, &s);
  return s;
}

TEST(OpenMetricsFormat, ValuesAsGoPercentG) {
  EXPECT_EQ(GoFloat(0), "0");
  EXPECT_EQ(GoFloat(-0.0), "-0");
  EXPECT_EQ(GoFloat(1), "1");
  EXPECT_EQ(GoFloat(-2.5), "-2.5");
  EXPECT_EQ(GoFloat(100), "100");
  EXPECT_EQ(GoFloat(123456), "123456");
  EXPECT_EQ(GoFloat(1e6), "1e+06");
  EXPECT_EQ(GoFloat(1234567), "1.234567e+06");
  EXPECT_EQ(GoFloat(1.7e9), "1.7e+09");
  EXPECT_EQ(GoFloat(12345.678), "12345.678");
  EXPECT_EQ(GoFloat(0.1), "0.1");
  EXPECT_EQ(GoFloat(0.0001), "0.0001");
  EXPECT_EQ(GoFloat(0.00001), "1e-05");
  EXPECT_EQ(GoFloat(1.5e300), "1.5e+300");
  EXPECT_EQ(GoFloat(5e-324), "5e-324");
  EXPECT_EQ(GoFloat(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(GoFloat(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(GoFloat(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(GoFloat(std::bit_cast<double>(0x7ff0000000000002ULL)), "NaN");
}

TEST(OpenMetricsFormat, Timestamps) {
  auto f = [](int64_t t) {
    std::string s;
    AppendSecondsMs(t, &s);
    return s;
  };
  EXPECT_EQ(f(1700000000123), "1700000000.123");
  EXPECT_EQ(f(1700000000000), "1700000000.000");
  EXPECT_EQ(f(5), "0.005");
  EXPECT_EQ(f(0), "0.000");
  EXPECT_EQ(f(-1), "-0.001");
  EXPECT_EQ(f(-1500), "-1.500");
  EXPECT_EQ(f(std::numeric_limits<int64_t>::min()), "-9223372036854775.808");
  EXPECT_EQ(f(std::numeric_limits<int64_t>::max()), "9223372036854775.807");
}

TEST(OpenMetricsFormat, Lines) {
  std::string s;
  AppendOpenMetricsSample(Labels::FromStrings({"__name__", "up", "job", "a", "zone", "x"}),
                          1700000000123, 1, &s);
  EXPECT_EQ(s, "up{job=\"a\",zone=\"x\"} 1 1700000000.123\n");
  s.clear();
  AppendOpenMetricsSample(Labels::FromStrings({"__name__", "up"}), 1000, 1.7e9, &s);
  EXPECT_EQ(s, "up{} 1.7e+09 1.000\n");  // as promtool dump-openmetrics
  s.clear();
  AppendOpenMetricsSample(
      Labels::FromStrings({"__name__", "my.metric", "a.b", "c\"\\\n\td", "ok", "v"}), -1, -0.0, &s);
  EXPECT_EQ(s, "{\"my.metric\",\"a.b\"=\"c\\\"\\\\\\n\td\",ok=\"v\"} -0 -0.001\n");
  s.clear();
  AppendOpenMetricsMetadata("up", MetadataKind::kType, MetricType::kGauge, "", &s);
  AppendOpenMetricsMetadata("up", MetadataKind::kHelp, MetricType::kUnknown, "a \"b\"\nc\\", &s);
  AppendOpenMetricsMetadata("up_seconds", MetadataKind::kUnit, MetricType::kUnknown, "seconds", &s);
  EXPECT_EQ(s, "# TYPE up gauge\n# HELP up a \\\"b\\\"\\nc\\\\\n# UNIT up_seconds seconds\n");
  s.clear();
  AppendDumpSample(Labels::FromStrings({"__name__", "up", "job", "a\tb", "x.y", "1"}),
                   1700000000123, 1.7e9, &s);
  EXPECT_EQ(s, "{__name__=\"up\", job=\"a\\tb\", \"x.y\"=\"1\"} 1.7e+09 1700000000123\n");
}

// A random label value: ASCII (quotes, backslashes, newlines, tabs included)
// and multi-byte UTF-8.
std::string RandomValue(std::mt19937_64& rng) {
  static const char* const kPieces[] = {"a",
                                        "Z",
                                        "0",
                                        " ",
                                        "\"",
                                        "\\",
                                        "\n",
                                        "\t",
                                        "\\n",
                                        "{",
                                        "}",
                                        ",",
                                        "=",
                                        "#",
                                        "\xc3\xa9",
                                        "\xe2\x82\xac",
                                        "\xf0\x9f\x98\x80"};
  std::string v;
  const int n = static_cast<int>(rng() % 8);
  for (int i = 0; i < n; ++i) v += kPieces[rng() % std::size(kPieces)];
  return v;
}

TEST(OpenMetricsRoundTrip, FormatThenParseIsBitExact) {
  std::mt19937_64 rng(20261127);
  std::vector<Labels> labels;
  std::vector<int64_t> ts;
  std::vector<double> values = {0.0,
                                -0.0,
                                1,
                                -1,
                                0.1,
                                5e-324,
                                -5e-324,
                                2.2250738585072014e-308,
                                1.7976931348623157e308,
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                1e21,
                                1e-7,
                                123456789};
  while (values.size() < 20000) {
    double v = std::bit_cast<double>(rng());
    if (!std::isnan(v)) values.push_back(v);
  }
  std::string text = "# TYPE m gauge\n";
  for (size_t i = 0; i < values.size(); ++i) {
    static const char* const kNames[] = {"m", "my.metric", "a:b_c", "\xc3\xa9t\xc3\xa9"};
    Labels ls = Labels::FromStrings({"__name__", kNames[i % 4], "k", "v" + std::to_string(i),
                                     "odd.name", RandomValue(rng), "z", RandomValue(rng)})
                    .WithoutEmpty();
    int64_t t = static_cast<int64_t>(rng() % 4000000000000000ULL) - 2000000000000000LL;
    AppendOpenMetricsSample(ls, t, values[i], &text);
    labels.push_back(std::move(ls));
    ts.push_back(t);
  }
  text += kOpenMetricsEof;
  Collector c;
  ASSERT_TRUE(Parse(text, &c).ok()) << Parse(text, &c);
  ASSERT_EQ(c.samples.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(c.label_sets[i], labels[i]) << i << " " << labels[i].ToString();
    ASSERT_EQ(c.samples[i].t, ts[i]) << i;
    ASSERT_EQ(c.samples[i].bits, Bits(values[i])) << i << " " << GoFloat(values[i]);
  }
}

TEST(OpenMetricsRoundTrip, NaNsComeBackAsTheNormalNaN) {
  // Text carries no NaN payload: every NaN, the stale marker included, is
  // written as "NaN" and parses to Prometheus's normal NaN.
  std::string text;
  for (uint64_t bits : {0x7ff8000000000001ULL, 0x7ff0000000000002ULL, 0x7ff8000000000000ULL,
                        0xfff8000000dead00ULL}) {
    AppendOpenMetricsSample(Labels::FromStrings({"__name__", "n"}), 1, std::bit_cast<double>(bits),
                            &text);
  }
  text += kOpenMetricsEof;
  Collector c;
  ASSERT_TRUE(Parse(text, &c).ok());
  ASSERT_EQ(c.samples.size(), 4u);
  for (const Got& g : c.samples) EXPECT_EQ(g.bits, kNormalNaNBits);
}

TEST(OpenMetricsRoundTrip, Metadata) {
  std::string text;
  AppendOpenMetricsMetadata("my.metric_seconds", MetadataKind::kType, MetricType::kGaugeHistogram,
                            "", &text);
  AppendOpenMetricsMetadata("my.metric_seconds", MetadataKind::kUnit, MetricType::kUnknown,
                            "seconds", &text);
  AppendOpenMetricsMetadata("my.metric_seconds", MetadataKind::kHelp, MetricType::kUnknown,
                            "x \"y\"\n\\z \xc3\xa9", &text);
  text += kOpenMetricsEof;
  Collector c;
  ASSERT_TRUE(Parse(text, &c).ok()) << Parse(text, &c) << text;
  ASSERT_EQ(c.metadata.size(), 3u);
  EXPECT_EQ(c.metadata[0].family, "my.metric_seconds");
  EXPECT_EQ(c.metadata[0].type, MetricType::kGaugeHistogram);
  EXPECT_EQ(c.metadata[1].text, "seconds");
  EXPECT_EQ(c.metadata[2].text, "x \"y\"\n\\z \xc3\xa9");
}

}  // namespace
}  // namespace strata::tools
