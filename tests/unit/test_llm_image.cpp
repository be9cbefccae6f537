#include <doctest/doctest.h>

#include <fstream>

#include "llm/image.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::llm;

TEST_CASE("base64 matches RFC 4648's test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("only PNG files become image parts") {
  test::TempDir dir;
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  std::ofstream(dir / "a.png", std::ios::binary) << png;
  auto part = png_part_from_file(dir / "a.png").value();
  CHECK(part.kind == ContentPart::Kind::image);
  CHECK(part.media_type == "image/png");
  CHECK(part.data_base64 == base64_encode(png));
  std::ofstream(dir / "a.jpg") << "\xff\xd8\xff\xe0 jpeg";
  auto jpeg = png_part_from_file(dir / "a.jpg");
  CHECK(jpeg.error().kind == ErrorKind::invalid_input);
  CHECK(jpeg.error().message.find("a.jpg") != std::string::npos);
  CHECK(png_part_from_file(dir / "none.png").error().kind == ErrorKind::not_found);
}
