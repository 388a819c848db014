// LinkProtoTypes() makes sure every message of xds/proto is linked into the program (and so is in
// the generated descriptor pool, served by gRPC reflection and found by type URL), even those no
// code names: static linking drops unreferenced generated files otherwise.
#ifndef MESHGW_XDS_INTERNAL_PROTO_TYPES_H_
#define MESHGW_XDS_INTERNAL_PROTO_TYPES_H_

namespace meshgw::xds::internal {

void LinkProtoTypes();

}  // namespace meshgw::xds::internal

#endif  // MESHGW_XDS_INTERNAL_PROTO_TYPES_H_
