// bench/tool/connect.h — opening one client connection: TCP connect, TLS handshake, and an
// optional echo probe that proves the whole path (proxy and backend) is up.
//
// Thread-safety: call on the io_context's own thread; `done` runs there.
#ifndef MESHGW_BENCH_TOOL_CONNECT_H_
#define MESHGW_BENCH_TOOL_CONNECT_H_

#include <functional>
#include <memory>
#include <string>

#include "bench/tool/load_worker.h"
#include "bench/tool/stream.h"

namespace meshgw::bench {

using OpenDone = std::function<void(std::shared_ptr<BenchStream>, const ErrorCode&)>;

// OpenStream connects to ctx.target and shakes hands (offering `resume` when non-null). With
// probe_bytes > 0 it then writes that many bytes and reads them back: through a proxy this
// makes sure the upstream connection exists, and with TLS 1.3 it collects the session ticket.
void OpenStream(const WorkerContext& ctx, SSL_SESSION* resume, int probe_bytes, OpenDone done);

// Describe turns an error of `stream` into one line (TLS text when there is one).
std::string Describe(const BenchStream* stream, const ErrorCode& ec, const char* stage);

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_CONNECT_H_
