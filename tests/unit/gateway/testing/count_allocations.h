// Replaces the global allocation functions of a test executable to count heap allocations, so a
// test can check that a hot path allocates nothing (or exactly what it should):
//
//   const long before = allocations.load();
//   table.Lookup(...);
//   EXPECT_EQ(allocations.load(), before);
//
// Include it from exactly one file of a test executable (it defines operator new and delete).
#ifndef MESHGW_TESTS_UNIT_GATEWAY_TESTING_COUNT_ALLOCATIONS_H_
#define MESHGW_TESTS_UNIT_GATEWAY_TESTING_COUNT_ALLOCATIONS_H_

#include <atomic>
#include <cstdlib>
#include <new>

// The replacement pairs malloc with free behind operator new/delete; GCC's inlined-pairing check
// cannot see that and would refuse it at -O2.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

inline std::atomic<long> allocations{0};

void* operator new(size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void* operator new[](size_t n) { return operator new(n); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

#endif  // MESHGW_TESTS_UNIT_GATEWAY_TESTING_COUNT_ALLOCATIONS_H_
