// EventLoop: one epoll loop per worker thread, with timers and a cross-thread task queue.
//
// The gateway's data path runs on these loops: every socket is registered once, edge-triggered,
// for reading, writing and peer half-close, and its owner keeps "readable"/"writable" flags that it
// clears on EAGAIN. So a relayed byte costs the recv/send (or splice) calls and nothing else: no
// epoll_ctl per direction change, no allocation, no lock.
//
//   EventLoop loop;                       // on the worker thread
//   loop.Add(fd, &conn, kDownstreamTag);  // conn.OnIo(events, kDownstreamTag) on each event
//   loop.Arm(&conn.idle_timer, loop.now() + absl::Seconds(300));
//   loop.Post([&] { ... });               // from any thread: runs on the loop's thread
//   loop.Run();                           // until Stop()
//
// Object lifetime: an IoHandler must stay alive until Remove(fd) (or close of the fd) and until the
// end of the current dispatch batch; use DeferDelete for objects that may still have events queued
// in the batch being dispatched.
//
// Thread-safety: everything but Post() and Stop() must be called on the loop's thread.
#ifndef MESHGW_GATEWAY_NET_EVENT_LOOP_H_
#define MESHGW_GATEWAY_NET_EVENT_LOOP_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace meshgw::gateway::net {

// Receives readiness events for the fds it registered. `tag` is the small integer given to Add
// (a connection registers its two sockets with different tags). `events` are EPOLL* bits.
class IoHandler {
 public:
  virtual void OnIo(uint32_t events, uint32_t tag) = 0;

 protected:
  ~IoHandler() = default;
};

// A one-shot timer owned by its user (embedded in a connection, say). Armed at most once at a
// time; re-arming moves it.
class Timer {
 public:
  explicit Timer(absl::AnyInvocable<void()> on_fire) : on_fire_(std::move(on_fire)) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  bool armed() const { return heap_index_ >= 0; }
  absl::Time deadline() const { return deadline_; }

 private:
  friend class EventLoop;
  absl::AnyInvocable<void()> on_fire_;
  absl::Time deadline_;
  int heap_index_ = -1;
};

// Deleted by the loop once the current dispatch batch is over.
class Deferred {
 public:
  virtual ~Deferred() = default;
};

class EventLoop {
 public:
  // Tags must fit in 3 bits: the tag is stored in the low bits of the handler pointer.
  static constexpr uint32_t kMaxTag = 7;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Checks the epoll and eventfd descriptors were created.
  absl::Status status() const { return status_; }

  // Add registers `fd` edge-triggered for EPOLLIN|EPOLLOUT|EPOLLRDHUP. `handler` must be 8-byte
  // aligned (any object with a vtable is).
  absl::Status Add(int fd, IoHandler* handler, uint32_t tag);
  // AddListener registers a listening socket level-triggered for EPOLLIN only (an accept loop
  // that stops early, for fairness, is called again).
  absl::Status AddListener(int fd, IoHandler* handler, uint32_t tag);
  // Remove unregisters `fd` (closing it does the same, but only once no other fd refers to the
  // file). Events already fetched in the current batch are still delivered: a handler ignores
  // events for a socket it has closed, and is deleted with DeferDelete.
  void Remove(int fd);

  void Arm(Timer* timer, absl::Time deadline);
  void Disarm(Timer* timer);

  // Post runs `task` on the loop's thread, soon. Safe from any thread.
  void Post(absl::AnyInvocable<void()> task);
  void DeferDelete(std::unique_ptr<Deferred> object);

  // Run dispatches events, timers and posted tasks until Stop(); returns at once after Stop().
  void Run();
  void Stop();

  // The time at the start of the current iteration (cheap: no clock read).
  absl::Time now() const { return now_; }
  // The loop's own clock reading, updated on demand.
  absl::Time UpdateNow();

 private:
  void RunTimers();
  void RunPosted();
  void HeapUp(int i);
  void HeapDown(int i);
  void HeapSwap(int a, int b);
  int NextTimeoutMs() const;

  absl::Status status_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  absl::Time now_;
  std::vector<Timer*> heap_;
  std::vector<std::unique_ptr<Deferred>> deferred_;

  absl::Mutex mu_;
  std::vector<absl::AnyInvocable<void()>> posted_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_{false};
};

}  // namespace meshgw::gateway::net

#endif  // MESHGW_GATEWAY_NET_EVENT_LOOP_H_
