// EventLoop: timers fire in deadline order and never early, Disarm/re-Arm, Post from another
// thread, edge-triggered socket events with tags, Stop.
#include "gateway/net/event_loop.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace meshgw::gateway::net {
namespace {

TEST(EventLoopTest, TimersFireInDeadlineOrderAndNotEarly) {
  EventLoop loop;
  ASSERT_TRUE(loop.status().ok());
  std::vector<std::string> fired;
  absl::Time start = loop.UpdateNow();
  Timer a([&] { fired.push_back("a"); });
  Timer b([&] { fired.push_back("b"); });
  Timer c([&] {
    fired.push_back("c");
    EXPECT_GE(loop.now(), start + absl::Milliseconds(30));
    loop.Stop();
  });
  Timer cancelled([&] { fired.push_back("cancelled"); });
  loop.Arm(&c, start + absl::Milliseconds(30));
  loop.Arm(&a, start + absl::Milliseconds(10));
  loop.Arm(&b, start + absl::Milliseconds(20));
  loop.Arm(&cancelled, start + absl::Milliseconds(15));
  loop.Disarm(&cancelled);
  EXPECT_FALSE(cancelled.armed());
  // Moving a timer later reorders it.
  loop.Arm(&a, start + absl::Milliseconds(25));
  loop.Run();
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "a", "c"}));
}

TEST(EventLoopTest, PostFromAnotherThreadRunsOnTheLoop) {
  EventLoop loop;
  std::thread::id loop_thread;
  std::thread::id ran_on;
  std::thread runner([&] {
    loop_thread = std::this_thread::get_id();
    loop.Run();
  });
  std::thread poster([&] {
    loop.Post([&] {
      ran_on = std::this_thread::get_id();
      loop.Stop();
    });
  });
  poster.join();
  runner.join();
  EXPECT_EQ(ran_on, loop_thread);
}

class Recorder : public IoHandler {
 public:
  void OnIo(uint32_t events, uint32_t tag) override {
    seen.push_back({events, tag});
    if (stop_after > 0 && seen.size() >= stop_after) loop->Stop();
  }
  std::vector<std::pair<uint32_t, uint32_t>> seen;
  size_t stop_after = 0;
  EventLoop* loop = nullptr;
};

TEST(EventLoopTest, SocketEventsCarryTheTag) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  EventLoop loop;
  Recorder recorder;
  recorder.loop = &loop;
  recorder.stop_after = 2;  // writable at once, then readable once data arrives
  ASSERT_TRUE(loop.Add(fds[0], &recorder, 5).ok());
  Timer send([&] { ASSERT_EQ(write(fds[1], "x", 1), 1); });
  loop.Arm(&send, loop.UpdateNow() + absl::Milliseconds(5));
  Timer guard([&] { loop.Stop(); });
  loop.Arm(&guard, loop.now() + absl::Seconds(5));
  loop.Run();
  ASSERT_EQ(recorder.seen.size(), 2u);
  EXPECT_EQ(recorder.seen[0].second, 5u);
  EXPECT_TRUE(recorder.seen[0].first & EPOLLOUT);
  EXPECT_TRUE(recorder.seen[1].first & EPOLLIN);
  EXPECT_EQ(recorder.seen[1].second, 5u);
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoopTest, DeferredObjectsOutliveTheBatch) {
  struct Flagged : Deferred {
    explicit Flagged(bool* deleted) : deleted(deleted) {}
    ~Flagged() override { *deleted = true; }
    bool* deleted;
  };
  EventLoop loop;
  bool deleted = false;
  loop.Post([&] {
    loop.DeferDelete(std::make_unique<Flagged>(&deleted));
    EXPECT_FALSE(deleted);  // still alive until the batch is over
    loop.Post([&] {
      EXPECT_TRUE(deleted);
      loop.Stop();
    });
  });
  loop.Run();
  EXPECT_TRUE(deleted);
}

}  // namespace
}  // namespace meshgw::gateway::net
