#include "gateway/net/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace meshgw::gateway::net {
namespace {

constexpr uint64_t kWakeToken = 1;  // epoll data of the eventfd: never a valid handler pointer

absl::Status Errno(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

}  // namespace

EventLoop::EventLoop() : now_(absl::Now()) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    status_ = Errno("epoll_create1");
    return;
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    status_ = Errno("eventfd");
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeToken;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0)
    status_ = Errno("epoll_ctl(eventfd)");
}

EventLoop::~EventLoop() {
  deferred_.clear();
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status EventLoop::Add(int fd, IoHandler* handler, uint32_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = reinterpret_cast<uintptr_t>(handler) | tag;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return Errno("epoll_ctl(ADD)");
  return absl::OkStatus();
}

absl::Status EventLoop::AddListener(int fd, IoHandler* handler, uint32_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = reinterpret_cast<uintptr_t>(handler) | tag;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return Errno("epoll_ctl(ADD listener)");
  return absl::OkStatus();
}

void EventLoop::Remove(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::Arm(Timer* timer, absl::Time deadline) {
  timer->deadline_ = deadline;
  if (timer->heap_index_ >= 0) {
    HeapUp(timer->heap_index_);
    HeapDown(timer->heap_index_);
    return;
  }
  timer->heap_index_ = static_cast<int>(heap_.size());
  heap_.push_back(timer);
  HeapUp(timer->heap_index_);
}

void EventLoop::Disarm(Timer* timer) {
  int i = timer->heap_index_;
  if (i < 0) return;
  int last = static_cast<int>(heap_.size()) - 1;
  if (i != last) HeapSwap(i, last);
  heap_.pop_back();
  timer->heap_index_ = -1;
  if (i != last) {
    HeapUp(i);
    HeapDown(i);
  }
}

void EventLoop::HeapSwap(int a, int b) {
  std::swap(heap_[a], heap_[b]);
  heap_[a]->heap_index_ = a;
  heap_[b]->heap_index_ = b;
}

void EventLoop::HeapUp(int i) {
  while (i > 0) {
    int parent = (i - 1) / 2;
    if (heap_[parent]->deadline_ <= heap_[i]->deadline_) break;
    HeapSwap(i, parent);
    i = parent;
  }
}

void EventLoop::HeapDown(int i) {
  int n = static_cast<int>(heap_.size());
  for (;;) {
    int smallest = i;
    int l = 2 * i + 1, r = l + 1;
    if (l < n && heap_[l]->deadline_ < heap_[smallest]->deadline_) smallest = l;
    if (r < n && heap_[r]->deadline_ < heap_[smallest]->deadline_) smallest = r;
    if (smallest == i) return;
    HeapSwap(i, smallest);
    i = smallest;
  }
}

void EventLoop::Post(absl::AnyInvocable<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    posted_.push_back(std::move(task));
  }
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof(one));
  (void)ignored;
}

void EventLoop::DeferDelete(std::unique_ptr<Deferred> object) {
  deferred_.push_back(std::move(object));
}

void EventLoop::Stop() {
  stop_.store(true, std::memory_order_relaxed);
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof(one));
  (void)ignored;
}

absl::Time EventLoop::UpdateNow() {
  now_ = absl::Now();
  return now_;
}

int EventLoop::NextTimeoutMs() const {
  if (heap_.empty()) return 1000;
  absl::Duration left = heap_[0]->deadline_ - now_;
  if (left <= absl::ZeroDuration()) return 0;
  // Round up so that a timer never fires early, and cap so the loop looks around now and then.
  int64_t ms = absl::ToInt64Milliseconds(left + absl::Milliseconds(1) - absl::Nanoseconds(1));
  return static_cast<int>(std::min<int64_t>(ms, 1000));
}

void EventLoop::RunTimers() {
  while (!heap_.empty() && heap_[0]->deadline_ <= now_) {
    Timer* t = heap_[0];
    Disarm(t);
    t->on_fire_();
  }
}

void EventLoop::RunPosted() {
  std::vector<absl::AnyInvocable<void()>> tasks;
  {
    absl::MutexLock lock(&mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void EventLoop::Run() {
  constexpr int kBatch = 256;
  epoll_event events[kBatch];
  for (;;) {
    if (stop_.load(std::memory_order_relaxed)) return;
    int n = epoll_wait(epoll_fd_, events, kBatch, NextTimeoutMs());
    UpdateNow();
    for (int i = 0; i < n; ++i) {
      uint64_t data = events[i].data.u64;
      if (data == kWakeToken) {
        uint64_t count;
        ssize_t ignored = read(wake_fd_, &count, sizeof(count));
        (void)ignored;
        continue;
      }
      auto* handler = reinterpret_cast<IoHandler*>(data & ~uint64_t{kMaxTag});
      handler->OnIo(events[i].events, static_cast<uint32_t>(data & kMaxTag));
    }
    deferred_.clear();
    RunPosted();
    RunTimers();
    deferred_.clear();
  }
}

}  // namespace meshgw::gateway::net
