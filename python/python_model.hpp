// A Python callable as the LLM (model string "function:python"): fn(messages, **params)
// returns the reply text, or a dict {"text": ..., "usage": {"input": N, "output": N},
// "cost_usd": X}. It goes through the client like any provider: cache, accounting, budget.
#pragma once

#include <pybind11/pybind11.h>

#include "llm/client.hpp"

namespace shoal::python {

// Wraps `fn`; the result takes the GIL for each call (the client calls it on its own thread).
// messages: [{"role": "system" | "user" | "assistant", "content": text, "images": count}];
// params: temperature, max_tokens, stop.
llm::FunctionModel python_model(pybind11::object fn);

}  // namespace shoal::python
