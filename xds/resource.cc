#include "xds/resource.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "xds/internal/wire.h"

namespace meshgw::xds {
namespace {

constexpr absl::string_view kTypePrefix = "type.googleapis.com/";

uint64_t Fnv1a(absl::string_view bytes, uint64_t hash = 14695981039346656037ull) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string Hex15(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(15, '0');
  value >>= 4;  // 60 bits
  for (int i = 14; i >= 0; --i) {
    out[i] = kDigits[value & 0xf];
    value >>= 4;
  }
  return out;
}

// Map fields (RBAC policies) make the default encoding order-dependent; versions must not be.
std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

bool IsAny(const google::protobuf::Descriptor* descriptor) {
  return descriptor->full_name() == "google.protobuf.Any";
}

// Whether messages of this type can hold a google.protobuf.Any, at any depth. Cached per type.
bool CanHoldAny(const google::protobuf::Descriptor* descriptor) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* cache = new absl::flat_hash_map<const google::protobuf::Descriptor*, bool>();
  {
    absl::MutexLock lock(&mu);
    auto it = cache->find(descriptor);
    if (it != cache->end()) return it->second;
    (*cache)[descriptor] = false;  // breaks cycles (recursive types)
  }
  bool result = false;
  for (int i = 0; i < descriptor->field_count() && !result; ++i) {
    const google::protobuf::Descriptor* type = descriptor->field(i)->message_type();
    if (type != nullptr) result = IsAny(type) || CanHoldAny(type);
  }
  absl::MutexLock lock(&mu);
  (*cache)[descriptor] = result;
  return result;
}

// Re-encodes the payloads of nested Any fields deterministically (they were packed with
// whatever encoding their producer used), so that equal content always has equal bytes.
void NormalizeAnys(google::protobuf::Message* message) {
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const google::protobuf::Descriptor* type = field->message_type();
    if (type == nullptr || !(IsAny(type) || CanHoldAny(type))) continue;
    auto visit = [&](google::protobuf::Message* child) {
      if (!IsAny(type)) {
        NormalizeAnys(child);
        return;
      }
      auto* any = static_cast<google::protobuf::Any*>(child);
      absl::string_view url = any->type_url();
      const google::protobuf::Descriptor* payload_type =
          google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
              std::string(url.substr(url.rfind('/') + 1)));
      if (payload_type == nullptr) return;  // unknown to us: left as it is
      std::unique_ptr<google::protobuf::Message> payload(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(payload_type)->New());
      if (!payload->ParseFromString(any->value())) return;
      NormalizeAnys(payload.get());
      any->set_value(SerializeDeterministic(*payload));
    };
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        visit(reflection->MutableRepeatedMessage(message, field, i));
      }
    } else {
      visit(reflection->MutableMessage(message, field));
    }
  }
}

}  // namespace

std::string SerializeNormalized(const google::protobuf::Message& message, NestedAnys nested) {
  if (nested == NestedAnys::kNormalized || !CanHoldAny(message.GetDescriptor())) {
    return SerializeDeterministic(message);
  }
  std::unique_ptr<google::protobuf::Message> copy(message.New());
  copy->CopyFrom(message);
  NormalizeAnys(copy.get());
  return SerializeDeterministic(*copy);
}

namespace {

const ResourceMap& EmptyMap() {
  static const ResourceMap* empty = new ResourceMap();
  return *empty;
}

}  // namespace

absl::string_view ShortTypeName(absl::string_view type_url) {
  size_t dot = type_url.rfind('.');
  return dot == absl::string_view::npos ? type_url : type_url.substr(dot + 1);
}

std::string ContentVersion(absl::string_view bytes) { return Hex15(Fnv1a(bytes)); }

uint64_t ContentHash(absl::string_view bytes, uint64_t seed) { return Fnv1a(bytes, seed); }

std::string VersionOfHash(uint64_t hash) { return Hex15(hash); }

absl::StatusOr<std::string> ResourceName(const google::protobuf::Message& message) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const std::string& type = descriptor->full_name();
  const char* field_name = nullptr;
  if (type == "envoy.config.cluster.v3.Cluster" || type == "envoy.config.listener.v3.Listener" ||
      type == "envoy.extensions.transport_sockets.tls.v3.Secret" ||
      type == "envoy.config.core.v3.TypedExtensionConfig") {
    field_name = "name";
  } else if (type == "envoy.config.endpoint.v3.ClusterLoadAssignment") {
    field_name = "cluster_name";
  } else {
    return absl::InvalidArgumentError(absl::StrCat("not an xDS resource type: ", type));
  }
  const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(field_name);
  return message.GetReflection()->GetString(message, field);
}

google::protobuf::Any PackNormalized(const google::protobuf::Message& payload) {
  google::protobuf::Any any;
  any.set_type_url(absl::StrCat(kTypePrefix, payload.GetDescriptor()->full_name()));
  any.set_value(SerializeNormalized(payload));
  return any;
}

absl::StatusOr<ResourcePtr> MakeResource(const google::protobuf::Message& message,
                                         NestedAnys nested) {
  absl::StatusOr<std::string> name = ResourceName(message);
  if (!name.ok()) return name.status();
  if (name->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(message.GetDescriptor()->name(), " without a name"));
  }
  google::protobuf::Any body;
  body.set_type_url(absl::StrCat(kTypePrefix, message.GetDescriptor()->full_name()));
  body.set_value(SerializeNormalized(message, nested));
  return MakeResource(*std::move(name), std::move(body));
}

ResourcePtr MakeResource(std::string name, google::protobuf::Any body) {
  std::string version = Hex15(Fnv1a(body.value(), Fnv1a(body.type_url())));
  return MakeResource(std::move(name), std::move(body), std::move(version));
}

ResourcePtr MakeResource(std::string name, google::protobuf::Any body, std::string version) {
  return MakeResource(std::move(name), std::move(body), nullptr, std::string(), std::move(version));
}

ResourcePtr MakeResource(std::string name, google::protobuf::Any head,
                         std::shared_ptr<const std::string> shared, std::string tail,
                         std::string version) {
  auto resource = std::make_shared<Resource>();
  resource->version = std::move(version);
  resource->name = std::move(name);
  resource->body = std::move(head);
  if (shared != nullptr) {
    resource->shared_payload = std::move(shared);
    resource->payload_tail = std::move(tail);
  }
  // envoy.service.discovery.v3.Resource{version = 1, resource = 2, name = 3}, as field 2 of
  // DeltaDiscoveryResponse; the Any is {type_url = 1, value = 2}. The payload goes between head
  // and tail, so only the lengths are computed here.
  const std::string& type_url = resource->body.type_url();
  const size_t payload_size = resource->PayloadSize();
  std::string any_head;
  internal::AppendBytesField(1, type_url, &any_head);
  internal::AppendLengthDelimitedHeader(2, payload_size, &any_head);
  std::string entry_head;
  internal::AppendBytesField(1, resource->version, &entry_head);
  internal::AppendLengthDelimitedHeader(2, any_head.size() + payload_size, &entry_head);
  entry_head.append(any_head);
  internal::AppendBytesField(3, resource->name, &resource->wire_tail);
  internal::AppendLengthDelimitedHeader(
      2, entry_head.size() + payload_size + resource->wire_tail.size(), &resource->wire_head);
  resource->wire_head.append(entry_head);
  return resource;
}

std::string Resource::Payload() const {
  if (shared_payload == nullptr) return body.value();
  std::string out;
  out.reserve(PayloadSize());
  AppendPayload(&out);
  return out;
}

bool Resource::UnpackTo(google::protobuf::Message* message) const {
  if (shared_payload == nullptr) return body.UnpackTo(message);
  return body.type_url() == absl::StrCat(kTypePrefix, message->GetDescriptor()->full_name()) &&
         message->ParseFromString(Payload());
}

google::protobuf::Any Resource::Packed() const {
  if (shared_payload == nullptr) return body;
  google::protobuf::Any any;
  any.set_type_url(body.type_url());
  any.set_value(Payload());
  return any;
}

// ---- ResourceView ------------------------------------------------------------------------------

ResourceView::const_iterator& ResourceView::const_iterator::operator++() {
  if (shared_ == shared_end_) {
    ++own_;
  } else if (own_ == own_end_) {
    ++shared_;
  } else if (own_->first < shared_->first) {
    ++own_;
  } else if (shared_->first < own_->first) {
    ++shared_;
  } else {  // the own entry hides the shared one: step past both
    ++own_;
    ++shared_;
  }
  return *this;
}

ResourceView::const_iterator ResourceView::begin() const {
  return const_iterator(shared_->begin(), shared_->end(), own_->begin(), own_->end());
}

ResourceView::const_iterator ResourceView::end() const {
  return const_iterator(shared_->end(), shared_->end(), own_->end(), own_->end());
}

ResourceView::const_iterator ResourceView::find(absl::string_view name) const {
  auto own = own_->find(name);
  auto shared = shared_->find(name);
  if (own == own_->end() && shared == shared_->end()) return end();
  // An iterator positioned at `name` in the merged order: each layer at its first entry >= name.
  if (own == own_->end()) own = own_->lower_bound(name);
  if (shared == shared_->end()) shared = shared_->lower_bound(name);
  return const_iterator(shared, shared_->end(), own, own_->end());
}

size_t ResourceView::size() const {
  size_t hidden = 0;
  for (const auto& [name, resource] : *own_) hidden += shared_->contains(name) ? 1 : 0;
  return shared_->size() + own_->size() - hidden;
}

// ---- ResourceSnapshot --------------------------------------------------------------------------

ResourceSnapshot ResourceSnapshot::Over(const ResourceSnapshot& base) {
  ResourceSnapshot out;
  out.content_hash_ = base.content_hash_;
  for (const auto& [type, layers] : base.by_type_) {
    Layers& mine = out.by_type_[type];
    mine.type_hash = layers.type_hash;
    if (layers.shared == nullptr || layers.shared->empty()) {
      mine.shared = layers.own;
    } else if (layers.own == nullptr || layers.own->empty()) {
      mine.shared = layers.shared;
    } else {  // a layered base: merged into one map
      ResourceView view(layers.shared.get(), layers.own.get());
      mine.shared = std::make_shared<const ResourceMap>(view.begin(), view.end());
    }
  }
  return out;
}

absl::Status ResourceSnapshot::Add(const google::protobuf::Message& message) {
  absl::StatusOr<ResourcePtr> resource = MakeResource(message);
  if (!resource.ok()) return resource.status();
  if (Find((*resource)->body.type_url(), (*resource)->name) != nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("duplicate ", message.GetDescriptor()->name(),
                                                   " \"", (*resource)->name, "\""));
  }
  Add(*std::move(resource));
  return absl::OkStatus();
}

void ResourceSnapshot::Add(ResourcePtr resource) {
  // One search of the own layer, which inserts the name if it is new.
  Layers& layers = TypeLayers(resource->body.type_url());
  ResourceMap& map = Own(layers);
  auto [it, inserted] = map.try_emplace(resource->name);
  if (!inserted) {
    Account(layers, *it->second);
  } else if (layers.shared != nullptr) {
    auto hidden = layers.shared->find(resource->name);
    if (hidden != layers.shared->end()) Account(layers, *hidden->second);
  }
  Account(layers, *resource);
  it->second = std::move(resource);
}

bool ResourceSnapshot::Remove(absl::string_view type_url, absl::string_view name) {
  const Resource* old = Find(type_url, name);
  if (old == nullptr) return false;
  Layers& layers = by_type_.find(type_url)->second;
  Account(layers, *old);
  if (layers.shared != nullptr && layers.shared->contains(name)) {
    // The shared layer cannot change: this type's resources become this snapshot's own.
    ResourceView view = Resources(type_url);
    layers.own = std::make_shared<ResourceMap>(view.begin(), view.end());
    layers.shared = nullptr;
  }
  Own(layers).erase(name);
  return true;
}

ResourceSnapshot::Layers& ResourceSnapshot::TypeLayers(absl::string_view type_url) {
  auto it = by_type_.find(type_url);
  if (it == by_type_.end()) {
    it = by_type_.emplace(std::string(type_url), Layers{}).first;
    it->second.type_hash = Fnv1a(type_url);
  }
  return it->second;
}

ResourceMap& ResourceSnapshot::Own(Layers& layers) {
  std::shared_ptr<ResourceMap>& own = layers.own;
  if (own == nullptr) {
    own = std::make_shared<ResourceMap>();
  } else if (own.use_count() > 1) {
    // Shared with another snapshot (which may be read by other threads): copy before writing.
    own = std::make_shared<ResourceMap>(*own);
  }
  return *own;
}

void ResourceSnapshot::Account(const Layers& layers, const Resource& resource) {
  // FNV-1a over type URL, name and version, in that order: the type URL's part is done once.
  uint64_t hash = Fnv1a(resource.name, layers.type_hash);
  hash = Fnv1a(resource.version, hash);
  content_hash_ ^= hash;
}

ResourceView ResourceSnapshot::Resources(absl::string_view type_url) const {
  auto it = by_type_.find(type_url);
  if (it == by_type_.end()) return ResourceView(&EmptyMap(), &EmptyMap());
  const Layers& layers = it->second;
  return ResourceView(layers.shared != nullptr ? layers.shared.get() : &EmptyMap(),
                      layers.own != nullptr ? layers.own.get() : &EmptyMap());
}

const Resource* ResourceSnapshot::Find(absl::string_view type_url, absl::string_view name) const {
  auto type = by_type_.find(type_url);
  if (type == by_type_.end()) return nullptr;
  const Layers& layers = type->second;
  if (layers.own != nullptr) {
    auto it = layers.own->find(name);
    if (it != layers.own->end()) return it->second.get();
  }
  if (layers.shared != nullptr) {
    auto it = layers.shared->find(name);
    if (it != layers.shared->end()) return it->second.get();
  }
  return nullptr;
}

size_t ResourceSnapshot::size() const {
  size_t n = 0;
  for (const auto& [type, layers] : by_type_) n += Resources(type).size();
  return n;
}

std::string ResourceSnapshot::Version() const { return Hex15(content_hash_); }

}  // namespace meshgw::xds
