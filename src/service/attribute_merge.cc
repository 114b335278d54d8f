#include "service/attribute_merge.h"

#include <functional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace leadscore::service {
namespace {

using Object = RecordJson::object_t;
// The vector beneath an ordered object: appending to it skips the search for the key that
// operator[] makes, which made a merge of n fields O(n^2). Only keys known to be absent are
// appended (by the indexes below).
using Entries = Object::Container;

Entries& EntriesOf(Object& object) { return static_cast<Entries&>(object); }

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out;
  out.reserve(path.size() + 1 + key.size());
  out.append(path).append(".").append(key);
  return out;
}

// Calls leaf(path, keys, value) for each field of `object` in order (keys: the spelling, one
// key an object level) and node(path, object) for each object under it.
struct Walker {
  std::function<void(const std::string&, const std::vector<std::string_view>&, RecordJson&, Object&,
                     size_t)>
      leaf;
  std::function<void(const std::string&, Object&)> node;
  std::vector<std::string_view> keys;

  void Walk(Object& object, const std::string& path) {
    Entries& entries = EntriesOf(object);
    for (size_t i = 0; i < entries.size(); ++i) {
      const std::string& key = entries[i].first;
      RecordJson& value = entries[i].second;
      std::string child = Join(path, key);
      keys.push_back(key);
      if (value.is_object()) {
        Object& inner = *value.get_ptr<Object*>();
        if (node) node(child, inner);
        Walk(inner, child);
      } else {
        leaf(child, keys, value, object, i);
      }
      keys.pop_back();
    }
  }
};

struct Place {
  Object* object;
  size_t index;
};

// Every field of `stored` and then of `upsert` under its dotted path, the later of a path
// counting, in one flat object.
RecordJson Flat(RecordJson& stored, RecordJson& upsert) {
  RecordJson out = RecordJson::object();
  Entries& entries = EntriesOf(*out.get_ptr<Object*>());
  std::unordered_map<std::string, size_t> at;
  Walker walker;
  walker.leaf = [&](const std::string& path, const std::vector<std::string_view>&,
                    RecordJson& value, Object&, size_t) {
    auto [it, inserted] = at.try_emplace(path, entries.size());
    if (inserted) {
      entries.emplace_back(path, value);
    } else {
      entries[it->second].second = value;
    }
  };
  walker.Walk(*stored.get_ptr<Object*>(), "");
  walker.Walk(*upsert.get_ptr<Object*>(), "");
  return out;
}

// Whether every key of `object` is a field of its own: no value is an object and no key has a
// dot, so that its keys are its fields' paths.
bool IsFlat(const RecordJson& object) {
  for (const auto& item : object.items()) {
    if (item.value().is_object() || item.key().find('.') != std::string::npos) return false;
  }
  return true;
}

// MergeAttributes of two flat objects (most leads: CSV columns, flat JSON), where a key is a
// field. Through the general path a leads file of 200,000 rows ingested 15% slower.
RecordJson MergeFlat(RecordJson stored, const RecordJson& upsert,
                     std::vector<std::string>& set_paths) {
  constexpr size_t kScanned = 16;  // keys up to which a scan beats a hash index
  Entries& entries = EntriesOf(*stored.get_ptr<Object*>());
  const size_t stored_size = entries.size();
  // Before the index: it views the keys, which must not move.
  entries.reserve(stored_size + upsert.size());
  std::unordered_map<std::string_view, size_t> at;
  if (stored_size > kScanned) {
    for (size_t i = 0; i < stored_size; ++i) at.emplace(entries[i].first, i);
  }
  for (const auto& item : upsert.items()) {
    const std::string& key = item.key();
    set_paths.push_back(key);
    size_t found = stored_size;
    if (stored_size > kScanned) {
      if (auto it = at.find(key); it != at.end()) found = it->second;
    } else {
      for (size_t i = 0; i < stored_size; ++i) {
        if (entries[i].first == key) {
          found = i;
          break;
        }
      }
    }
    // The upsert's keys are distinct: an appended key is never looked for.
    if (found < stored_size) {
      entries[found].second = item.value();
    } else {
      entries.emplace_back(key, item.value());
    }
  }
  return stored;
}

}  // namespace

RecordJson MergeAttributes(RecordJson stored, const RecordJson& upsert_in,
                           std::vector<std::string>& set_paths) {
  set_paths.clear();
  if (!stored.is_object()) stored = RecordJson::object();
  if (!upsert_in.is_object()) return stored;
  if (IsFlat(stored) && IsFlat(upsert_in))
    return MergeFlat(std::move(stored), upsert_in, set_paths);
  RecordJson upsert = upsert_in;

  // The upsert's fields, the later of a path counting (its spelling too).
  struct Field {
    std::string path;
    std::vector<std::string_view> keys;
    RecordJson* value;
  };
  std::vector<Field> given;
  std::unordered_map<std::string, size_t> given_at;
  Walker collect;
  collect.leaf = [&](const std::string& path, const std::vector<std::string_view>& keys,
                     RecordJson& value, Object&, size_t) {
    auto [it, inserted] = given_at.try_emplace(path, given.size());
    if (inserted) {
      given.push_back({path, keys, &value});
    } else {
      given[it->second].keys = keys;
      given[it->second].value = &value;
    }
  };
  collect.Walk(*upsert.get_ptr<Object*>(), "");
  for (const Field& field : given) set_paths.push_back(field.path);

  // The paths of the stored fields and objects.
  std::unordered_set<std::string> field_paths, object_paths;
  Walker paths;
  paths.leaf = [&](const std::string& path, const std::vector<std::string_view>&, RecordJson&,
                   Object&, size_t) { field_paths.insert(path); };
  paths.node = [&](const std::string& path, Object&) { object_paths.insert(path); };
  paths.Walk(*stored.get_ptr<Object*>(), "");

  // Where each new field goes, planned before anything moves: down its spelling through the
  // objects on its path, making the missing ones, to the deepest; the rest of the spelling
  // as one dotted key when a field is on the way. `grows`: the entries each object gains.
  // Per new field: how many keys of its spelling are objects on the way to it.
  std::vector<size_t> made_keys(given.size(), 0);
  std::unordered_map<std::string, size_t> grows;
  for (size_t g = 0; g < given.size(); ++g) {
    const Field& field = given[g];
    if (field_paths.contains(field.path)) continue;  // replaced where it is
    if (object_paths.contains(field.path))
      return Flat(stored, upsert);  // a field where an object is
    std::string path;
    size_t k = 0;
    for (; k + 1 < field.keys.size(); ++k) {
      std::string inner = Join(path, field.keys[k]);
      if (field_paths.contains(inner)) break;
      if (object_paths.insert(inner).second) ++grows[path];  // made here
      path = std::move(inner);
    }
    ++grows[path];
    field_paths.insert(field.path);
    made_keys[g] = k;
  }

  // Room for those entries, each object's before any object under it (growing a vector of
  // entries copies the objects in it, and a pointer to one below would dangle): from here on
  // no object moves, and pointers into `stored` stay good.
  auto room = [&grows](const std::string& path, Object& object) {
    if (auto it = grows.find(path); it != grows.end()) {
      EntriesOf(object).reserve(EntriesOf(object).size() + it->second);
    }
  };
  room("", *stored.get_ptr<Object*>());
  Walker reserve;
  reserve.leaf = [](const std::string&, const std::vector<std::string_view>&, RecordJson&, Object&,
                    size_t) {};
  reserve.node = room;
  reserve.Walk(*stored.get_ptr<Object*>(), "");

  // Where each field and each object of `stored` is. A path given twice counts the later.
  std::unordered_map<std::string, Place> fields;
  std::unordered_map<std::string, Object*> objects;
  Walker index;
  index.leaf = [&](const std::string& path, const std::vector<std::string_view>&, RecordJson&,
                   Object& object, size_t i) {
    fields[path] = {&object, i};
  };
  index.node = [&](const std::string& path, Object& object) { objects[path] = &object; };
  index.Walk(*stored.get_ptr<Object*>(), "");

  for (size_t g = 0; g < given.size(); ++g) {
    const Field& field = given[g];
    if (auto found = fields.find(field.path); found != fields.end()) {
      EntriesOf(*found->second.object)[found->second.index].second = *field.value;
      continue;
    }
    Object* object = stored.get_ptr<Object*>();
    std::string path;
    for (size_t k = 0; k < made_keys[g]; ++k) {
      std::string inner = Join(path, field.keys[k]);
      auto found = objects.find(inner);
      if (found == objects.end()) {
        Entries& entries = EntriesOf(*object);
        entries.emplace_back(std::string(field.keys[k]), RecordJson::object());
        Object& made = *entries.back().second.get_ptr<Object*>();
        room(inner, made);
        found = objects.emplace(inner, &made).first;
      }
      object = found->second;
      path = std::move(inner);
    }
    size_t k = made_keys[g];
    std::string key(field.keys[k]);
    for (++k; k < field.keys.size(); ++k) key.append(".").append(field.keys[k]);
    Entries& entries = EntriesOf(*object);
    entries.emplace_back(std::move(key), *field.value);
    fields[field.path] = {object, entries.size() - 1};
  }
  return stored;
}

}  // namespace leadscore::service
