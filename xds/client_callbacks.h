// What the user of an xDS client (the gateway) supplies: the subscriptions, a validation callback
// run on every received resource, and an update callback run on every accepted change.
//
//   ResourceValidator validate = [](absl::string_view type_url, absl::string_view name,
//                                   const google::protobuf::Any& resource) -> absl::Status {
//     if (type_url == kListenerType) return CheckListener(resource);   // "filter_chains[2]: ..."
//     return absl::OkStatus();
//   };
//
// A validator's error is sent back to the server as the NACK's error_detail, prefixed with the
// resource's type and name: `Listener "public:0.0.0.0:8443": filter_chains[2].filters[0]: ...`. It
// should name the field at fault, as a path from the resource.
#ifndef MESHGW_XDS_CLIENT_CALLBACKS_H_
#define MESHGW_XDS_CLIENT_CALLBACKS_H_

#include <google/protobuf/any.pb.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "xds/resource.h"

namespace meshgw::xds {

// One type to subscribe to: `names` empty means every resource of the type (wildcard).
struct Subscription {
  std::string type_url;
  std::vector<std::string> names;
};

// Checks one received resource. Called on the client's thread; must not call into the Client.
using ResourceValidator = std::function<absl::Status(
    absl::string_view type_url, absl::string_view name, const google::protobuf::Any& resource)>;

// An accepted response: the full set of the type after the change, and what changed.
struct ClientUpdate {
  absl::string_view type_url;
  const ResourceMap& resources;
  const std::vector<std::string>& upserted;
  const std::vector<std::string>& removed;
};

// Applies an accepted change. An error NACKs the response and the change is rolled back (the last
// good set stays). Called on the client's thread; must not call into the Client.
using UpdateHandler = std::function<absl::Status(const ClientUpdate& update)>;

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_CLIENT_CALLBACKS_H_
