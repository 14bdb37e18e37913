#pragma once
// Reads the top-level `code` of a vendor JSON reply without building a DOM.
// One instance per worker: simdjson parsers are not thread-safe.
#include <memory>
#include <optional>
#include <string>

namespace yxgate::yunxin {

class BodyCodeReader {
 public:
  BodyCodeReader();
  ~BodyCodeReader();
  // May grow `body`'s capacity (simdjson needs padding); never its content.
  std::optional<long long> read(std::string& body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yxgate::yunxin
