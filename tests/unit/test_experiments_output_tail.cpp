#include <doctest/doctest.h>

#include "experiments/output_tail.hpp"

using namespace shoal::experiments;

TEST_CASE("OutputTail keeps the last bytes and counts them all") {
  OutputTail t(8);
  for (int i = 0; i < 100; ++i) t.add("0123456789");
  CHECK(t.total() == 1000);
  CHECK(t.text() == "23456789");
  t.add("abcdefghijklmnopq");
  CHECK(t.text() == "jklmnopq");
  OutputTail none(0);
  none.add("abc");
  CHECK(none.text().empty());
  CHECK(none.total() == 3);
}

TEST_CASE("valid_utf8 keeps valid text and replaces broken bytes") {
  CHECK(valid_utf8("plain \xC3\xA9t\xC3\xA9 \xF0\x9F\x90\x9F") == "plain \xC3\xA9t\xC3\xA9 \xF0\x9F\x90\x9F");
  CHECK(valid_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(valid_utf8("\xA9x") == "\xEF\xBF\xBDx");            // a tail cut in the middle of a sequence
  CHECK(valid_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  CHECK(valid_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
}
