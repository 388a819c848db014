// Re-encodes an xDS resource with meshgw's own protos only: every field our protos do not know is
// dropped, at every depth, including inside google.protobuf.Any payloads. What survives is what
// meshgw really understands; the conformance test compares it with what was meant.
#ifndef MESHGW_TESTS_CONFORMANCE_XDS_CANONICAL_H_
#define MESHGW_TESTS_CONFORMANCE_XDS_CANONICAL_H_

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>

#include <memory>
#include <string>

namespace meshgw::xds::conformance {

// A new message of the named type from the generated pool (our protos), or null.
inline std::unique_ptr<google::protobuf::Message> NewMessage(const std::string& type_url) {
  std::string name = type_url.substr(type_url.rfind('/') + 1);
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
  if (descriptor == nullptr) return nullptr;
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

inline void Canonicalize(google::protobuf::Message* message);

// An Any whose payload type we know is decoded, canonicalized and packed again.
inline void CanonicalizeAny(google::protobuf::Any* any) {
  std::unique_ptr<google::protobuf::Message> inner = NewMessage(any->type_url());
  if (inner == nullptr || !inner->ParseFromString(any->value())) return;
  Canonicalize(inner.get());
  any->set_value(inner->SerializeAsString());
}

inline void Canonicalize(google::protobuf::Message* message) {
  if (message->GetDescriptor()->full_name() == "google.protobuf.Any") {
    CanonicalizeAny(static_cast<google::protobuf::Any*>(message));
    return;
  }
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        Canonicalize(reflection->MutableRepeatedMessage(message, field, i));
      }
    } else {
      Canonicalize(reflection->MutableMessage(message, field));
    }
  }
  reflection->MutableUnknownFields(message)->Clear();
}

}  // namespace meshgw::xds::conformance

#endif  // MESHGW_TESTS_CONFORMANCE_XDS_CANONICAL_H_
