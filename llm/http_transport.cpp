#include "llm/http_transport.hpp"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "core/time.hpp"

namespace shoal::llm {
namespace {

// One request on the wire: the easy handle and everything it points into.
struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpRequest request;
  HttpResult result;
  HttpTransport::Callback done;
  Stopwatch clock;
  std::chrono::steady_clock::time_point last_byte = std::chrono::steady_clock::now();
  bool idled = false;  // ended by the idle timeout
  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->last_byte = std::chrono::steady_clock::now();
  t->result.body.append(data, size * count);
  return size * count;
}

// `line` without its "name:" (any case) and surrounding blanks, or nullopt for another header.
std::optional<std::string> header_value(const std::string& line, const std::string& name) {
  if (line.size() <= name.size()) return std::nullopt;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return std::nullopt;
  std::string value = line.substr(name.size());
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
  return value;
}

// A header's value as a non-negative number, or nullopt.
std::optional<double> number_value(const std::string& value) {
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (end != value.c_str() && *end == '\0' && v >= 0) return v;
  return std::nullopt;
}

// Picks Retry-After (seconds, or an HTTP date) and retry-after-ms out of the response headers.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->last_byte = std::chrono::steady_clock::now();
  std::string line(data, size * count);
  if (auto ms = header_value(line, "retry-after-ms:")) {
    if (auto v = number_value(*ms)) t->result.retry_after_s = *v / 1000.0;
  } else if (auto value = header_value(line, "retry-after:")) {
    if (auto seconds = number_value(*value)) {
      if (!t->result.retry_after_s) t->result.retry_after_s = *seconds;
    } else if (time_t when = curl_getdate(value->c_str(), nullptr); when > 0 && !t->result.retry_after_s) {
      double wait = static_cast<double>(when) - static_cast<double>(now_ms()) / 1000.0;
      t->result.retry_after_s = wait > 0 ? wait : 0;
    }
  }
  return size * count;
}

NetError net_error_of(CURLcode code) {
  switch (code) {
    case CURLE_OK: return NetError::none;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return NetError::connect;
    case CURLE_OPERATION_TIMEDOUT: return NetError::timeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return NetError::connection_lost;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL: return NetError::not_http;
    default: return NetError::other;
  }
}

// CURLMOPT_SOCKETFUNCTION: watch `fd` for what libcurl asks (`what`), or stop watching it.
int on_socket(CURL*, curl_socket_t fd, int what, void* user, void*);
// CURLMOPT_TIMERFUNCTION: libcurl wants socket_action(TIMEOUT) in `timeout_ms` (-1: never).
int on_timer(CURLM*, long timeout_ms, void* user);

struct Timed {
  HttpTransport::Clock::time_point when;
  uint64_t seq;
  HttpTransport::Task task;
};

}  // namespace

struct HttpTransport::Impl {
  CURLM* multi = nullptr;
  int epoll_fd = -1;
  int wake_fd = -1;                         // an eventfd: other threads write to it to wake the loop
  std::optional<Clock::time_point> curl_deadline;  // when libcurl wants socket_action(TIMEOUT)
  std::thread thread;
  std::mutex mutex;  // guards incoming, incoming_tasks, stopping
  std::deque<std::unique_ptr<Transfer>> incoming;
  std::vector<Timed> incoming_tasks;
  bool stopping = false;
  // Loop-thread state.
  std::map<CURL*, std::unique_ptr<Transfer>> active;
  std::multimap<std::pair<Clock::time_point, uint64_t>, Task> timers;
  uint64_t seq = 0;
  std::atomic<int64_t> running{0}, peak{0};

  void loop();
  void wake();
  void drive(curl_socket_t fd, int events);
  void start(std::unique_ptr<Transfer> t);
  void finish(CURL* easy, CURLcode code);
  void take_incoming(bool& stop);
  void end_idle();
  void shutdown();
};

HttpTransport::HttpTransport() : impl_(std::make_unique<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->multi = curl_multi_init();
  impl_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  impl_->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = impl_->wake_fd;
  ::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_ADD, impl_->wake_fd, &ev);
  // libcurl tells us which sockets to watch and when it next needs a call (the socket interface):
  // each wake-up then touches only the transfers with activity, not all of them.
  curl_multi_setopt(impl_->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(impl_->multi, CURLMOPT_SOCKETDATA, impl_.get());
  curl_multi_setopt(impl_->multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(impl_->multi, CURLMOPT_TIMERDATA, impl_.get());
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, 1024L);
  impl_->thread = std::thread([this] { impl_->loop(); });
}

HttpTransport::~HttpTransport() {
  stop();
  curl_multi_cleanup(impl_->multi);
  ::close(impl_->wake_fd);
  ::close(impl_->epoll_fd);
}

void HttpTransport::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void HttpTransport::send(HttpRequest request, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping) {
      impl_->incoming.push_back(std::move(t));
      t = nullptr;
    }
  }
  if (t) {  // stopped: answer at once
    t->result.net_error = NetError::cancelled;
    t->result.net_message = "the LLM client is shutting down";
    t->done(std::move(t->result));
    return;
  }
  impl_->wake();
}

void HttpTransport::post_at(Clock::time_point when, Task task) {
  bool stopped;
  {
    std::lock_guard lock(impl_->mutex);
    stopped = impl_->stopping;
    if (!stopped) impl_->incoming_tasks.push_back({when, 0, std::move(task)});
  }
  if (stopped) task(true);
  else impl_->wake();
}

int64_t HttpTransport::in_flight() const { return impl_->running.load(); }
int64_t HttpTransport::peak_in_flight() const { return impl_->peak.load(); }

namespace {

int on_socket(CURL*, curl_socket_t fd, int what, void* user, void*) {
  auto* impl = static_cast<HttpTransport::Impl*>(user);
  if (what == CURL_POLL_REMOVE) {
    ::epoll_ctl(impl->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.data.fd = fd;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev.events |= EPOLLOUT;
  if (::epoll_ctl(impl->epoll_fd, EPOLL_CTL_MOD, fd, &ev) != 0) ::epoll_ctl(impl->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  return 0;
}

int on_timer(CURLM*, long timeout_ms, void* user) {
  auto* impl = static_cast<HttpTransport::Impl*>(user);
  if (timeout_ms < 0) impl->curl_deadline.reset();
  else impl->curl_deadline = HttpTransport::Clock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

}  // namespace

// Configures an easy handle for `t` and adds it to the multi handle.
void HttpTransport::Impl::start(std::unique_ptr<Transfer> t) {
  t->easy = curl_easy_init();
  CURL* e = t->easy;
  for (const auto& h : t->request.headers) t->headers = curl_slist_append(t->headers, h.c_str());
  t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip for big bodies
  curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request.body.size()));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t->request.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->request.timeout_ms));
  t->last_byte = std::chrono::steady_clock::now();
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "shoal/0.1");
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  t->clock = Stopwatch();
  if (CURLMcode rc = curl_multi_add_handle(multi, e); rc != CURLM_OK) {
    t->result.net_error = NetError::other;
    t->result.net_message = curl_multi_strerror(rc);
    t->done(std::move(t->result));
    return;
  }
  active[e] = std::move(t);
  int64_t now = ++running;
  int64_t p = peak.load();
  while (now > p && !peak.compare_exchange_weak(p, now)) {
  }
}

// Completes the transfer of `easy` with libcurl's result `code`.
void HttpTransport::Impl::finish(CURL* easy, CURLcode code) {
  auto it = active.find(easy);
  if (it == active.end()) return;
  std::unique_ptr<Transfer> t = std::move(it->second);
  active.erase(it);
  --running;
  curl_multi_remove_handle(multi, easy);
  t->result.net_error = net_error_of(code);
  if (code != CURLE_OK) t->result.net_message = curl_easy_strerror(code);
  if (t->idled) {
    t->result.net_error = NetError::idle;
    t->result.net_message = "no data for " + std::to_string(t->request.idle_timeout_ms) + " ms";
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  t->result.status = status;
  t->result.elapsed_ms = static_cast<int64_t>(t->clock.seconds() * 1000);
  t->done(std::move(t->result));
}

// Ends the transfers that received nothing for their idle timeout (checked at least once a second).
void HttpTransport::Impl::end_idle() {
  auto now = Clock::now();
  std::vector<CURL*> idle;
  for (auto& [easy, t] : active)
    if (t->request.idle_timeout_ms > 0 && !t->idled &&
        now - t->last_byte > std::chrono::milliseconds(t->request.idle_timeout_ms))
      idle.push_back(easy);
  for (CURL* easy : idle) {
    active[easy]->idled = true;
    finish(easy, CURLE_OPERATION_TIMEDOUT);
  }
}

// Moves what other threads queued into the loop's own state.
void HttpTransport::Impl::take_incoming(bool& stop) {
  std::deque<std::unique_ptr<Transfer>> transfers;
  std::vector<Timed> tasks;
  {
    std::lock_guard lock(mutex);
    transfers.swap(incoming);
    tasks.swap(incoming_tasks);
    stop = stopping;
  }
  for (auto& task : tasks) timers.emplace(std::pair{task.when, seq++}, std::move(task.task));
  for (auto& t : transfers) start(std::move(t));
}

void HttpTransport::Impl::wake() {
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
}

// Lets libcurl act on `fd` (or on its timeout) and completes the transfers that finished.
void HttpTransport::Impl::drive(curl_socket_t fd, int events) {
  int still_running = 0;
  curl_multi_socket_action(multi, fd, events, &still_running);
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left))
    if (msg->msg == CURLMSG_DONE) finish(msg->easy_handle, msg->data.result);
}

void HttpTransport::Impl::loop() {
  bool stop = false;
  std::vector<epoll_event> events(256);
  while (true) {
    take_incoming(stop);
    if (stop) break;
    // Due tasks (they may queue more work; it is picked up next round).
    auto now = Clock::now();
    while (!timers.empty() && timers.begin()->first.first <= now) {
      Task task = std::move(timers.begin()->second);
      timers.erase(timers.begin());
      task(false);
    }
    end_idle();
    if (curl_deadline && *curl_deadline <= Clock::now()) {
      curl_deadline.reset();
      drive(CURL_SOCKET_TIMEOUT, 0);
    }
    // Sleep until a socket is ready, libcurl's deadline, the next task, or a wake-up.
    auto until = Clock::now() + (active.empty() ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(200));
    if (curl_deadline) until = std::min(until, *curl_deadline);
    if (!timers.empty()) until = std::min(until, timers.begin()->first.first);
    {
      std::lock_guard lock(mutex);
      if (!incoming.empty() || !incoming_tasks.empty() || stopping) until = Clock::now();
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (wait < 0) wait = 0;
    if (until > Clock::now() && wait == 0) wait = 1;  // round a sub-millisecond wait up, not to a busy loop
    int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), static_cast<int>(wait));
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == wake_fd) {
        uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd, &count, sizeof count);
        continue;
      }
      int flags = 0;
      if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
      drive(events[i].data.fd, flags);
    }
  }
  shutdown();
}

// Calls back everything still pending as cancelled (their callbacks may queue more; those are cancelled too).
void HttpTransport::Impl::shutdown() {
  while (!active.empty() || !timers.empty()) {
    while (!active.empty()) {
      auto it = active.begin();
      std::unique_ptr<Transfer> t = std::move(it->second);
      active.erase(it);
      --running;
      curl_multi_remove_handle(multi, t->easy);
      t->result.net_error = NetError::cancelled;
      t->result.net_message = "the LLM client is shutting down";
      t->done(std::move(t->result));
    }
    while (!timers.empty()) {
      Task task = std::move(timers.begin()->second);
      timers.erase(timers.begin());
      task(true);
    }
    bool stop = true;
    take_incoming(stop);
  }
}

}  // namespace shoal::llm
