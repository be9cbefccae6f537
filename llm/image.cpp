#include "llm/image.hpp"

#include "core/file.hpp"

namespace shoal::llm {

std::string base64_encode(std::string_view in) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Expected<ContentPart> png_part(std::string_view bytes, std::string_view name) {
  static const std::string_view signature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.substr(0, 8) != signature)
    return fail(ErrorKind::invalid_input, std::string(name) + " is not a PNG image (only PNG is sent to models)");
  return ContentPart::png(base64_encode(bytes));
}

Expected<ContentPart> png_part_from_file(const std::filesystem::path& path) {
  SHOAL_TRY(bytes, read_file(path));
  return png_part(bytes, path.string());
}

}  // namespace shoal::llm
