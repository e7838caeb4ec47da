// Private to promql/aggregate*.cc: the scratch state of one aggregation node,
// Go's sort.Sort and container/heap algorithms, and Go's float formatting.
//
// Why port Go's algorithms: topk/bottomk return their samples in the order
// Prometheus's heap and sort.Sort leave them, and limitk/limit_ratio in heap
// order; with equal values or NaN that order depends on the exact sequence of
// comparisons and swaps, so only the same algorithm reproduces it.
//
// Thread safety: none; one scratch per evaluation.
#ifndef STRATA_PROMQL_AGGREGATE_INTERNAL_H_
#define STRATA_PROMQL_AGGREGATE_INTERNAL_H_

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "promql/aggregate.h"

namespace strata::promql {

// One heap element of topk/bottomk/limitk/limit_ratio: the sample's value and
// its index in the input vector (moving these is cheaper than Samples).
struct KEntry {
  double f = 0;
  uint32_t index = 0;
};

// State of one output group of sum/avg/…/quantile, as Prometheus's
// groupedAggregation (floats only).
struct AggGroup {
  double value = 0;
  double mean = 0;
  double kahan_c = 0;
  double count = 0;
  bool incremental_mean = false;
  bool drop_name = false;
};

class AggregateScratch {
 public:
  // Grouping key → group index, rebuilt every step.
  absl::flat_hash_map<uint64_t, uint32_t> group_index;
  std::vector<uint32_t> group_of;  // per input sample
  std::vector<AggGroup> groups;
  // Per group: quantile's values, or the k-aggregations' heap. Inner vectors
  // keep their capacity across steps.
  std::vector<std::vector<double>> values;
  std::vector<std::vector<KEntry>> heaps;
  std::vector<uint32_t> first_of_group;  // per group: its first input index
  std::vector<uint64_t> key_of_group;    // per group: its grouping key
  std::vector<std::string> names;        // count_values' grouping names
  std::string hash_buf;                  // limit_ratio's label encoding
  // Grouping key per input series (Sample::origin), kept across steps;
  // key_known[o] says whether key_of_origin[o] is set.
  std::vector<uint64_t> key_of_origin;
  std::vector<uint8_t> key_known;
  // Output labels per grouping key, kept across steps.
  absl::flat_hash_map<uint64_t, Labels> group_labels;
};

namespace aggregate_internal {

// Assigns every sample of `in` to a group of the expression's grouping
// (scratch->group_of), in first-seen order; returns the number of groups.
// Fills scratch->first_of_group with each group's first sample index.
uint32_t AssignGroups(const AggregateExpr& e, const Vector& in, AggregateScratch* scratch);

// topk, bottomk, limitk, limit_ratio.
absl::Status AggregateK(const AggregateStep& step, const Vector& in, AggregateScratch* scratch,
                        Vector* out);

// Go's fmt %g / %v of a float64 (strconv.FormatFloat(f, 'g', -1, 64)):
// "1.1", "1e+20", "NaN", "+Inf".
std::string GoFormatG(double v);

// " (line:col)" of the aggregation's parameter in the query, as Prometheus's
// annotations print it; empty when the query text is unknown.
std::string ParamPositionSuffix(const AggregateStep& step);

// ---- Go's container/heap over indices [0, n), with less(i, j) / swap(i, j).

template <typename Less, typename Swap>
void GoHeapUp(int j, const Less& less, const Swap& swap) {
  for (;;) {
    const int i = (j - 1) / 2;  // truncates toward zero, as Go: j == 0 stops
    if (i == j || !less(j, i)) break;
    swap(i, j);
    j = i;
  }
}

template <typename Less, typename Swap>
bool GoHeapDown(int i0, int n, const Less& less, const Swap& swap) {
  int i = i0;
  for (;;) {
    const int j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    int j = j1;
    if (const int j2 = j1 + 1; j2 < n && less(j2, j1)) j = j2;
    if (!less(j, i)) break;
    swap(i, j);
    i = j;
  }
  return i > i0;
}

// ---- Go's sort.Sort: pattern-defeating quicksort (Go 1.19+), same
// comparisons and swaps, so that results with ties or NaN are identical.
template <typename Less, typename Swap>
class GoSorter {
 public:
  GoSorter(const Less& less, const Swap& swap) : less_(less), swap_(swap) {}

  void Sort(int n) {
    if (n <= 1) return;
    PdqSort(0, n, std::bit_width(static_cast<unsigned>(n)));
  }

 private:
  enum Hint { kUnknown, kIncreasing, kDecreasing };

  void InsertionSort(int a, int b) {
    for (int i = a + 1; i < b; ++i) {
      for (int j = i; j > a && less_(j, j - 1); --j) swap_(j, j - 1);
    }
  }

  void SiftDown(int lo, int hi, int first) {
    int root = lo;
    for (;;) {
      int child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && less_(first + child, first + child + 1)) ++child;
      if (!less_(first + root, first + child)) return;
      swap_(first + root, first + child);
      root = child;
    }
  }

  void HeapSort(int a, int b) {
    const int first = a, hi = b - a;
    for (int i = (hi - 1) / 2; i >= 0; --i) SiftDown(i, hi, first);
    for (int i = hi - 1; i >= 0; --i) {
      swap_(first, first + i);
      SiftDown(0, i, first);
    }
  }

  void PdqSort(int a, int b, int limit);

  // Quicksort partition around data[pivot]; returns the pivot's new place.
  std::pair<int, bool> Partition(int a, int b, int pivot) {
    swap_(a, pivot);
    int i = a + 1, j = b - 1;
    while (i <= j && less_(i, a)) ++i;
    while (i <= j && !less_(j, a)) --j;
    if (i > j) {
      swap_(j, a);
      return {j, true};
    }
    swap_(i, j);
    ++i;
    --j;
    for (;;) {
      while (i <= j && less_(i, a)) ++i;
      while (i <= j && !less_(j, a)) --j;
      if (i > j) break;
      swap_(i, j);
      ++i;
      --j;
    }
    swap_(j, a);
    return {j, false};
  }

  int PartitionEqual(int a, int b, int pivot) {
    swap_(a, pivot);
    int i = a + 1, j = b - 1;
    for (;;) {
      while (i <= j && !less_(a, i)) ++i;
      while (i <= j && less_(a, j)) --j;
      if (i > j) break;
      swap_(i, j);
      ++i;
      --j;
    }
    return i;
  }

  bool PartialInsertionSort(int a, int b) {
    constexpr int kMaxSteps = 5, kShortestShifting = 50;
    int i = a + 1;
    for (int step = 0; step < kMaxSteps; ++step) {
      while (i < b && !less_(i, i - 1)) ++i;
      if (i == b) return true;
      if (b - a < kShortestShifting) return false;
      swap_(i, i - 1);
      // Go's loop bound is 1, not a; kept for identical behaviour.
      if (i - a >= 2) {
        for (int j = i - 1; j >= 1 && less_(j, j - 1); --j) swap_(j, j - 1);
      }
      if (b - i >= 2) {
        for (int j = i + 1; j < b && less_(j, j - 1); ++j) swap_(j, j - 1);
      }
    }
    return false;
  }

  void BreakPatterns(int a, int b) {
    const int length = b - a;
    if (length < 8) return;
    uint64_t random = static_cast<uint64_t>(length);
    const uint64_t modulus = uint64_t{1} << std::bit_width(static_cast<uint64_t>(length));
    for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; ++idx) {
      random ^= random << 13;  // sort package's xorshift
      random ^= random >> 7;
      random ^= random << 17;
      int other = static_cast<int>(random & (modulus - 1));
      if (other >= length) other -= length;
      swap_(idx, a + other);
    }
  }

  int Median(int a, int b, int c, int* swaps) {
    if (less_(b, a)) {
      ++*swaps;
      std::swap(a, b);
    }
    if (less_(c, b)) {
      ++*swaps;
      std::swap(b, c);
    }
    if (less_(b, a)) {
      ++*swaps;
      std::swap(a, b);
    }
    return b;
  }

  std::pair<int, Hint> ChoosePivot(int a, int b) {
    constexpr int kShortestNinther = 50, kMaxSwaps = 4 * 3;
    const int l = b - a;
    int swaps = 0;
    int i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
      if (l >= kShortestNinther) {
        i = Median(i - 1, i, i + 1, &swaps);
        j = Median(j - 1, j, j + 1, &swaps);
        k = Median(k - 1, k, k + 1, &swaps);
      }
      j = Median(i, j, k, &swaps);
    }
    if (swaps == 0) return {j, kIncreasing};
    if (swaps == kMaxSwaps) return {j, kDecreasing};
    return {j, kUnknown};
  }

  void ReverseRange(int a, int b) {
    for (int i = a, j = b - 1; i < j; ++i, --j) swap_(i, j);
  }

  const Less& less_;
  const Swap& swap_;
};

template <typename Less, typename Swap>
void GoSorter<Less, Swap>::PdqSort(int a, int b, int limit) {
  constexpr int kMaxInsertion = 12;
  bool was_balanced = true, was_partitioned = true;
  for (;;) {
    const int length = b - a;
    if (length <= kMaxInsertion) return InsertionSort(a, b);
    if (limit == 0) return HeapSort(a, b);
    if (!was_balanced) {
      BreakPatterns(a, b);
      --limit;
    }
    auto [pivot, hint] = ChoosePivot(a, b);
    if (hint == kDecreasing) {
      ReverseRange(a, b);
      pivot = (b - 1) - (pivot - a);
      hint = kIncreasing;
    }
    if (was_balanced && was_partitioned && hint == kIncreasing && PartialInsertionSort(a, b)) {
      return;
    }
    if (a > 0 && !less_(a - 1, pivot)) {
      a = PartitionEqual(a, b, pivot);
      continue;
    }
    const auto [mid, already] = Partition(a, b, pivot);
    was_partitioned = already;
    const int left = mid - a, right = b - mid, threshold = length / 8;
    if (left < right) {
      was_balanced = left >= threshold;
      PdqSort(a, mid, limit);
      a = mid + 1;
    } else {
      was_balanced = right >= threshold;
      PdqSort(mid + 1, b, limit);
      b = mid;
    }
  }
}

template <typename Less, typename Swap>
void GoSort(int n, const Less& less, const Swap& swap) {
  GoSorter<Less, Swap>(less, swap).Sort(n);
}

}  // namespace aggregate_internal
}  // namespace strata::promql

#endif  // STRATA_PROMQL_AGGREGATE_INTERNAL_H_
