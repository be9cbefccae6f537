// Signing in: a browser presents the token once and gets a session cookie (HttpOnly,
// SameSite=Strict) plus a CSRF token that its scripts send back with every write.
#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "core/time.hpp"
#include "web/handlers.hpp"
#include "web/responses.hpp"

namespace shoal::web {
namespace {

constexpr const char* kCookie = "shoal_session";

std::string session_id(const Call& call) { return cookie_value(call.request.header("cookie"), kCookie); }

}  // namespace

Response api_session(Call& call) {
  auto session = call.app.sessions().find(session_id(call), now_ms());
  if (!session) return json_response({{"signed_in", false}});
  return json_response({{"signed_in", true}, {"csrf", session->csrf}});
}

Response api_sign_in(Call& call) {
  auto body = nlohmann::json::parse(call.request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string())
    return error_response(400, ErrorKind::invalid_input, "send {\"token\": \"...\"}");
  if (!call.app.sessions().token_matches(body["token"].get<std::string>())) {
    log::warn("web", "failed sign-in from " + call.request.client);
    return error_response(401, ErrorKind::invalid_input, "wrong token (it is printed by `shoal serve` at start)");
  }
  auto session = call.app.sessions().open(now_ms());
  auto r = json_response({{"signed_in", true}, {"csrf", session.csrf}});
  r.set_header("Set-Cookie", std::string(kCookie) + "=" + session.id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                 std::to_string(call.app.options().session_ms / 1000));
  return r;
}

Response api_sign_out(Call& call) {
  call.app.sessions().close(session_id(call));
  auto r = json_response({{"signed_in", false}});
  r.set_header("Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  return r;
}

}  // namespace shoal::web
