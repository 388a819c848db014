// bench/tool/connect.cc — connect, handshake and echo probe.
#include "bench/tool/connect.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace meshgw::bench {
namespace {

// Reads until `want` bytes came back, then calls done.
void ReadBack(std::shared_ptr<BenchStream> s, std::shared_ptr<std::vector<char>> buf, size_t got,
              size_t want, OpenDone done) {
  BenchStream* raw = s.get();
  raw->AsyncReadSome(buf->data() + got, want - got,
                     [s = std::move(s), buf, got, want, done](const ErrorCode& ec, size_t n) {
                       if (ec) return done(s, ec);
                       if (got + n >= want) return done(s, {});
                       ReadBack(s, buf, got + n, want, done);
                     });
}

}  // namespace

std::string Describe(const BenchStream* stream, const ErrorCode& ec, const char* stage) {
  std::string what = absl::StrCat(stage, ": ", ec.message());
  if (stream != nullptr && !stream->tls_error().empty()) {
    absl::StrAppend(&what, " (", stream->tls_error(), ")");
  }
  return what;
}

void OpenStream(const WorkerContext& ctx, SSL_SESSION* resume, int probe_bytes, OpenDone done) {
  auto s = std::make_shared<BenchStream>(ctx.io, ctx.tls);
  const std::string& sni = ctx.options.sni;
  // The caller may replace its session while this connect is in flight: hold a reference.
  std::shared_ptr<SSL_SESSION> session;
  if (resume != nullptr && SSL_SESSION_up_ref(resume) == 1) {
    session.reset(resume, SSL_SESSION_free);
  }
  s->AsyncConnect(ctx.target, [s, &sni, session, probe_bytes, done](const ErrorCode& ec) {
    if (ec) return done(s, ec);
    s->AsyncHandshake(true, sni, session.get(), [s, probe_bytes, done](const ErrorCode& ec) {
      if (ec || probe_bytes <= 0) return done(s, ec);
      auto buf = std::make_shared<std::vector<char>>(static_cast<size_t>(probe_bytes), 'p');
      s->AsyncWrite(buf->data(), buf->size(), [s, buf, done](const ErrorCode& ec) {
        if (ec) return done(s, ec);
        ReadBack(s, buf, 0, buf->size(), done);
      });
    });
  });
}

}  // namespace meshgw::bench
