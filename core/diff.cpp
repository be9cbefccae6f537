#include "core/diff.hpp"

#include <algorithm>
#include <string>

namespace shoal {
namespace {

// Replaces the middle of a diff: every old line removed, then every new line added.
void replace_all(std::vector<DiffLine>& out, const std::vector<std::string>& a, const std::vector<std::string>& b,
                 size_t a_from, size_t a_to, size_t b_from, size_t b_to) {
  for (size_t i = a_from; i < a_to; ++i) out.push_back({'-', a[i], static_cast<int>(i + 1), 0});
  for (size_t j = b_from; j < b_to; ++j) out.push_back({'+', b[j], 0, static_cast<int>(j + 1)});
}

// One side of "@@ -3,4 +3,5 @@" (a count of 1 is left out). With context around every change,
// a side has no line only when its file is empty: "0,0".
std::string hunk_range(int start, int count) {
  std::string out = std::to_string(count == 0 ? 0 : start);
  if (count != 1) out += "," + std::to_string(count);
  return out;
}

}  // namespace

std::vector<DiffLine> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b, int max_edits) {
  // Common prefix and suffix first: most edits touch a few lines of a long file.
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  std::vector<DiffLine> out;
  for (size_t i = 0; i < pre; ++i) out.push_back({' ', a[i], static_cast<int>(i + 1), static_cast<int>(i + 1)});

  // Myers over the middle: x indexes a, y indexes b, k = x - y; v[k] is the furthest x on
  // diagonal k after d edits. trace[d] keeps v[-d..d] so the path can be walked back.
  const int n = static_cast<int>(a.size() - pre - suf), m = static_cast<int>(b.size() - pre - suf);
  auto A = [&](int x) -> const std::string& { return a[pre + x]; };
  auto B = [&](int y) -> const std::string& { return b[pre + y]; };
  std::vector<std::vector<int>> trace;
  std::vector<int> v(3, 0);  // v[k + d + 1] for k in [-d-1, d+1]
  int found = -1;
  for (int d = 0; d <= std::min(n + m, max_edits) && found < 0; ++d) {
    std::vector<int> next(2 * d + 3, 0);
    auto at = [&](const std::vector<int>& vec, int dd, int k) { return vec[k + dd + 1]; };
    for (int k = -d; k <= d; k += 2) {
      int x;
      if (d == 0) x = 0;
      else if (k == -d || (k != d && at(v, d - 1, k - 1) < at(v, d - 1, k + 1))) x = at(v, d - 1, k + 1);
      else x = at(v, d - 1, k - 1) + 1;
      int y = x - k;
      while (x < n && y < m && A(x) == B(y)) ++x, ++y;
      next[k + d + 1] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.push_back(next);
    v = std::move(next);
  }

  if (found < 0) {
    replace_all(out, a, b, pre, a.size() - suf, pre, b.size() - suf);
  } else {
    std::vector<DiffLine> middle;  // built backwards
    int x = n, y = m;
    for (int d = found; d >= 0; --d) {
      int k = x - y;
      int prev_k = 0, prev_x = 0, prev_y = 0;
      if (d > 0) {
        const auto& pv = trace[d - 1];
        auto at = [&](int kk) { return pv[kk + (d - 1) + 1]; };
        prev_k = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
        prev_x = at(prev_k);
        prev_y = prev_x - prev_k;
      }
      while (x > prev_x && y > prev_y) {
        --x, --y;
        middle.push_back({' ', A(x), static_cast<int>(pre + x + 1), static_cast<int>(pre + y + 1)});
      }
      if (d == 0) break;
      if (x == prev_x) middle.push_back({'+', B(prev_y), 0, static_cast<int>(pre + prev_y + 1)});
      else middle.push_back({'-', A(prev_x), static_cast<int>(pre + prev_x + 1), 0});
      x = prev_x, y = prev_y;
    }
    out.insert(out.end(), middle.rbegin(), middle.rend());
  }
  for (size_t i = 0; i < suf; ++i) {
    size_t ai = a.size() - suf + i, bi = b.size() - suf + i;
    out.push_back({' ', a[ai], static_cast<int>(ai + 1), static_cast<int>(bi + 1)});
  }
  return out;
}

std::vector<Hunk> make_hunks(const std::vector<DiffLine>& lines, int context) {
  // Changed lines closer than 2 * context kept lines apart share a hunk.
  std::vector<std::pair<int, int>> groups;  // [first change, last change]
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    if (lines[i].op == ' ') continue;
    if (!groups.empty() && i - groups.back().second - 1 <= 2 * context) groups.back().second = i;
    else groups.push_back({i, i});
  }
  std::vector<Hunk> hunks;
  for (auto [first, last] : groups) {
    Hunk h;
    int stop = std::min(static_cast<int>(lines.size()), last + 1 + context);
    for (int k = std::max(0, first - context); k < stop; ++k) {
      const auto& l = lines[k];
      if (l.op != '+' && h.old_count++ == 0) h.old_start = l.old_line;
      if (l.op != '-' && h.new_count++ == 0) h.new_start = l.new_line;
      h.lines.push_back(l);
    }
    hunks.push_back(std::move(h));
  }
  return hunks;
}

std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_name,
                         const std::string& new_name, int context) {
  auto a = split_lines(old_text), b = split_lines(new_text);
  auto hunks = make_hunks(diff_lines(a, b), context);
  if (hunks.empty()) return "";
  std::string out = "--- " + old_name + "\n+++ " + new_name + "\n";
  for (const auto& h : hunks) {
    out += "@@ -" + hunk_range(h.old_start, h.old_count) + " +" + hunk_range(h.new_start, h.new_count) + " @@\n";
    for (const auto& l : h.lines) out += std::string(1, l.op) + l.text + "\n";
  }
  return out;
}

}  // namespace shoal
