// The one route table: every path the server answers, what it needs and what answers it.
#pragma once

#include <vector>

#include "web/handlers.hpp"

namespace shoal::web {

enum class Access {
  read,     // anyone who can reach the server
  write,    // the token (Bearer) or a signed-in session with its CSRF token
  sign_in,  // a same-origin JSON POST (the handler checks the token)
};

struct Route {
  const char* method;          // GET (also answers HEAD) or POST
  const char* pattern;         // "/api/v1/papers/{id}"
  Access access;
  Response (*api)(Call&);      // the handler of an API route, nullptr for a page
  // A page route's embedded file (web/static/): a page's script ("run.js", served inside the
  // page.html shell) or a file served as it is ("favicon.svg"); nullptr for an API route.
  const char* file;
  const char* summary;         // one line, listed by GET /api/v1
  bool cached = false;         // answers kept until the database changes (response_cache.hpp)
};

const std::vector<Route>& routes();

// GET /api/v1: the API routes with their summaries.
Response api_index(Call& call);

}  // namespace shoal::web
