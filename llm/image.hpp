// PNG images for vision messages: read from a file, checked, base64-encoded.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "llm/types.hpp"
#include "core/expected.hpp"

namespace shoal::llm {

// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);

// An image part from PNG bytes; ErrorKind::invalid_input when they are not a PNG.
Expected<ContentPart> png_part(std::string_view bytes, std::string_view name = "image");

// An image part from a PNG file; not_found / io / invalid_input naming the file.
Expected<ContentPart> png_part_from_file(const std::filesystem::path& path);

}  // namespace shoal::llm
