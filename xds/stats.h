// Counters of the xDS server and client. Each is a std::atomic so that readers (an admin page, a
// metrics scrape, a test) can read them while streams run.
#ifndef MESHGW_XDS_STATS_H_
#define MESHGW_XDS_STATS_H_

#include <atomic>
#include <cstdint>

namespace meshgw::xds {

struct ServerStats {
  std::atomic<int64_t> streams_active{0};
  std::atomic<uint64_t> streams_total{0};
  // Streams refused: over max_streams (RESOURCE_EXHAUSTED), or a bad token (PERMISSION_DENIED).
  std::atomic<uint64_t> streams_shed{0};
  std::atomic<uint64_t> streams_denied{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> acks{0};
  std::atomic<uint64_t> nacks{0};
  std::atomic<uint64_t> responses{0};
  std::atomic<uint64_t> resources_sent{0};
  std::atomic<uint64_t> removals_sent{0};
};

struct ClientStats {
  std::atomic<uint64_t> streams_started{0};
  std::atomic<uint64_t> responses{0};
  std::atomic<uint64_t> acks{0};
  std::atomic<uint64_t> nacks{0};
  std::atomic<bool> connected{false};
};

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_STATS_H_
