// JSON forms of Limits and JobResult, size parsing, and the `shoal sandbox` command line
// of a job (see executor.hpp).
#include "experiments/executor.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace shoal::experiments {
namespace {

using json = nlohmann::json;

// Reads j[key] into out when present; a value of the wrong type is invalid_input.
template <class T>
Status read_key(const json& j, const char* key, T& out, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) return fail(ErrorKind::invalid_input, std::string("job JSON lacks the key '") + key + "'");
    return {};
  }
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    return fail(ErrorKind::invalid_input,
                std::string("job JSON key '") + key + "' has the wrong type: " + it->dump());
  }
  return {};
}

// A number without a trailing ".0" when it is whole, for command lines.
std::string number_text(double v) {
  std::ostringstream out;
  out.precision(15);
  out << v;
  return out.str();
}

}  // namespace

json Limits::to_json() const {
  return {{"wall_s", wall_s},
          {"cpu_s", cpu_s},
          {"memory_bytes", memory_bytes},
          {"max_procs", max_procs},
          {"max_file_bytes", max_file_bytes},
          {"max_open_files", max_open_files},
          {"max_output_bytes", max_output_bytes},
          {"max_disk_bytes", max_disk_bytes},
          {"tail_bytes", tail_bytes}};
}

Expected<Limits> Limits::from_json(const json& j) {
  if (!j.is_object()) return fail(ErrorKind::invalid_input, "limits JSON must be an object, got " + j.dump());
  Limits l;
  SHOAL_CHECK(read_key(j, "wall_s", l.wall_s, false));
  SHOAL_CHECK(read_key(j, "cpu_s", l.cpu_s, false));
  SHOAL_CHECK(read_key(j, "memory_bytes", l.memory_bytes, false));
  SHOAL_CHECK(read_key(j, "max_procs", l.max_procs, false));
  SHOAL_CHECK(read_key(j, "max_file_bytes", l.max_file_bytes, false));
  SHOAL_CHECK(read_key(j, "max_open_files", l.max_open_files, false));
  SHOAL_CHECK(read_key(j, "max_output_bytes", l.max_output_bytes, false));
  SHOAL_CHECK(read_key(j, "max_disk_bytes", l.max_disk_bytes, false));
  SHOAL_CHECK(read_key(j, "tail_bytes", l.tail_bytes, false));
  return l;
}

json JobResult::to_json() const {
  return {{"exit_code", exit_code},
          {"signal", signal},
          {"limit_hit", limit_hit},
          {"wall_s", wall_s},
          {"cpu_s", cpu_s},
          {"peak_memory_bytes", peak_memory_bytes},
          {"stdout_tail", stdout_tail},
          {"stderr_tail", stderr_tail},
          {"stdout_bytes", stdout_bytes},
          {"stderr_bytes", stderr_bytes},
          {"sandboxed", sandboxed}};
}

Expected<JobResult> JobResult::from_json(const json& j) {
  if (!j.is_object()) return fail(ErrorKind::invalid_input, "job result JSON must be an object, got " + j.dump().substr(0, 200));
  JobResult r;
  SHOAL_CHECK(read_key(j, "exit_code", r.exit_code, true));
  SHOAL_CHECK(read_key(j, "signal", r.signal, true));
  SHOAL_CHECK(read_key(j, "limit_hit", r.limit_hit, true));
  SHOAL_CHECK(read_key(j, "wall_s", r.wall_s, true));
  SHOAL_CHECK(read_key(j, "cpu_s", r.cpu_s, true));
  SHOAL_CHECK(read_key(j, "peak_memory_bytes", r.peak_memory_bytes, true));
  SHOAL_CHECK(read_key(j, "stdout_tail", r.stdout_tail, true));
  SHOAL_CHECK(read_key(j, "stderr_tail", r.stderr_tail, true));
  SHOAL_CHECK(read_key(j, "stdout_bytes", r.stdout_bytes, true));
  SHOAL_CHECK(read_key(j, "stderr_bytes", r.stderr_bytes, true));
  SHOAL_CHECK(read_key(j, "sandboxed", r.sandboxed, true));
  return r;
}

Expected<int64_t> parse_size(const std::string& text) {
  auto bad = [&] {
    return fail(ErrorKind::invalid_input,
                "'" + text + "' is not a size: use bytes or a number with K, M, G or T (like 512M or 2G)");
  };
  if (text.empty()) return bad();
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v) || v < 0) return bad();
  std::string unit(end);
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  double scale = 1;
  if (unit.size() > 1) return bad();
  if (!unit.empty()) {
    switch (unit[0]) {
      case 'k': case 'K': scale = 1024.0; break;
      case 'm': case 'M': scale = 1024.0 * 1024; break;
      case 'g': case 'G': scale = 1024.0 * 1024 * 1024; break;
      case 't': case 'T': scale = 1024.0 * 1024 * 1024 * 1024; break;
      default: return bad();
    }
  }
  double bytes = v * scale;
  if (bytes > 9.0e18) return bad();
  return static_cast<int64_t>(bytes);
}

std::vector<std::string> sandbox_command_args(const JobSpec& spec) {
  const Limits& l = spec.limits;
  std::vector<std::string> args = {
      "sandbox",
      "--timeout", number_text(l.wall_s),
      "--cpu-time", number_text(l.cpu_s),
      "--memory", std::to_string(l.memory_bytes),
      "--procs", std::to_string(l.max_procs),
      "--file-size", std::to_string(l.max_file_bytes),
      "--open-files", std::to_string(l.max_open_files),
      "--output", std::to_string(l.max_output_bytes),
      "--disk", std::to_string(l.max_disk_bytes),
      "--tail", std::to_string(l.tail_bytes),
      "--cpus", std::to_string(spec.cpus),
      "--gpus", std::to_string(spec.gpus),
  };
  for (const auto& p : spec.ro_binds) {
    args.push_back("--ro-bind");
    args.push_back(p.string());
  }
  for (const auto& [k, v] : spec.env) {
    args.push_back("--env");
    args.push_back(k + "=" + v);
  }
  if (spec.unsafe_no_sandbox) args.push_back("--unsafe-no-sandbox");
  args.push_back("--workdir");
  args.push_back(spec.workdir.string());
  args.push_back("--");
  args.insert(args.end(), spec.argv.begin(), spec.argv.end());
  return args;
}

void record_job(store::Node& node, const JobResult& result) {
  node.exit_code = result.exit_code;
  node.signal = result.signal;
  node.limit_hit = result.limit_hit;
  node.stdout_tail = result.stdout_tail;
  node.stderr_tail = result.stderr_tail;
  node.duration_s = result.wall_s;
}

}  // namespace shoal::experiments
