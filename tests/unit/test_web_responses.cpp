#include <doctest/doctest.h>

#include "web/responses.hpp"

using namespace shoal;
using namespace shoal::web;

TEST_CASE("stored types are served safely: images and PDFs as they are, text as plain text, the rest downloaded") {
  CHECK(served_type("application/pdf").content_type == "application/pdf");
  CHECK(served_type("image/PNG").content_type == "image/png");
  CHECK(served_type("text/html; charset=utf-8").content_type == "text/plain; charset=utf-8");
  CHECK(served_type("application/json").content_type == "text/plain; charset=utf-8");
  CHECK_FALSE(served_type("text/x-python").attachment);
  CHECK(served_type("application/x-msdownload").attachment);
  CHECK(served_type("").content_type == "application/octet-stream");
}

TEST_CASE("file names are cut to their last part and to safe characters") {
  CHECK(safe_file_name("run_1/final_info.json") == "final_info.json");
  CHECK(safe_file_name("a\"b\r\nc.txt") == "a_b__c.txt");
  CHECK(safe_file_name("../..") == "file..");
  CHECK(safe_file_name("") == "file");
}

TEST_CASE("every response gets nosniff and a policy fitting its type; blobs keep their stricter one") {
  Response page;
  page.content_type = "text/html; charset=utf-8";
  add_security_headers(page);
  CHECK(page.header("X-Content-Type-Options") == "nosniff");
  CHECK(page.header("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  auto blob = blob_response("<script>", "text/html", "x.html", false);
  add_security_headers(blob);
  CHECK(blob.header("Content-Security-Policy").find("sandbox") != std::string::npos);
  CHECK(blob.content_type == "text/plain; charset=utf-8");
  auto err = error_response(fail(ErrorKind::not_found, "no paper x"));
  CHECK(err.status == 404);
  CHECK(err.body == R"({"error":{"kind":"not_found","message":"no paper x"}})");
  CHECK(json_response(nlohmann::json("bad \xff utf8")).body == "\"bad \xef\xbf\xbd utf8\"");
}
