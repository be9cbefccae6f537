#include "llm/budget.hpp"

#include <cstdio>

namespace shoal::llm {

Budget::Budget(std::optional<double> cap_usd, std::optional<int64_t> cap_tokens, Spend recorded)
    : cap_usd_(cap_usd), cap_tokens_(cap_tokens), recorded_(recorded) {}

Status Budget::reserve(const Spend& worst, const std::string& what) {
  std::lock_guard lock(mutex_);
  double usd = recorded_.usd + reserved_.usd;
  int64_t tokens = recorded_.tokens + reserved_.tokens;
  if (cap_usd_ && usd >= *cap_usd_) {
    char text[200];
    std::snprintf(text, sizeof text, "$%.4f spent or committed to calls in flight has reached the budget of $%.4f",
                  usd, *cap_usd_);
    return fail(ErrorKind::budget_exceeded,
                what + " refused: " + text + "; raise budget_usd (--set budget_usd=...) to continue");
  }
  if (cap_tokens_ && tokens >= *cap_tokens_)
    return fail(ErrorKind::budget_exceeded, what + " refused: " + std::to_string(tokens) +
                                                " tokens spent or committed has reached the token budget of " +
                                                std::to_string(*cap_tokens_) + "; raise budget_tokens to continue");
  reserved_.usd += worst.usd;
  reserved_.tokens += worst.tokens;
  return {};
}

void Budget::settle(const Spend& reserved, const Spend& actual) {
  std::lock_guard lock(mutex_);
  reserved_.usd -= reserved.usd;
  reserved_.tokens -= reserved.tokens;
  if (reserved_.usd < 1e-12) reserved_.usd = 0;
  recorded_.usd += actual.usd;
  recorded_.tokens += actual.tokens;
}

Spend Budget::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}

Spend Budget::reserved() const {
  std::lock_guard lock(mutex_);
  return reserved_;
}

}  // namespace shoal::llm
