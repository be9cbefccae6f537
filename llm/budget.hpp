// The run's spending guard: a dollar cap and an optional token cap. A call reserves its
// worst case before it starts and is refused when spend (recorded + reserved) has reached a
// cap; when it ends the reservation is replaced by what it really cost. So spend never
// exceeds the cap by more than the calls already in flight. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "core/expected.hpp"

namespace shoal::llm {

struct Spend {
  double usd = 0;
  int64_t tokens = 0;
};

class Budget {
 public:
  // `recorded` is what the run already spent (its earlier calls in the store).
  Budget(std::optional<double> cap_usd, std::optional<int64_t> cap_tokens, Spend recorded = {});

  // Reserves `worst_case` for a call about to start; ErrorKind::budget_exceeded when
  // recorded + reserved spend has already reached a cap. `what` names the call in the message.
  Status reserve(const Spend& worst_case, const std::string& what);

  // Ends a reservation made by reserve(): `actual` (zero for a failed call) becomes recorded spend.
  void settle(const Spend& reserved, const Spend& actual);

  Spend recorded() const;
  Spend reserved() const;

 private:
  mutable std::mutex mutex_;
  std::optional<double> cap_usd_;
  std::optional<int64_t> cap_tokens_;
  Spend recorded_, reserved_;
};

}  // namespace shoal::llm
