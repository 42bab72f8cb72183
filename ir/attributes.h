// Node attributes as read from ONNX, with typed, validating accessors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/tensor_data.h"

namespace deeploy {

using AttributeValue = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>,
                                    std::vector<std::string>, TensorData>;

// Accessors throw deeploy::Error naming the attribute; the caller (node inference) adds the node.
// Integer and float accessors also accept a one-element tensor attribute, and integer accessors accept
// an integral float, because Deeploy's exporters store scalars in all of these forms.
class Attributes {
 public:
  void set(const std::string& name, AttributeValue v) { values_[name] = std::move(v); }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, AttributeValue>& all() const { return values_; }
  void erase(const std::string& name) { values_.erase(name); }

  int64_t getInt(const std::string& name) const;
  int64_t getInt(const std::string& name, int64_t fallback) const;
  double getFloat(const std::string& name) const;
  double getFloat(const std::string& name, double fallback) const;
  std::string getString(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> getInts(const std::string& name) const;
  std::vector<int64_t> getInts(const std::string& name, std::vector<int64_t> fallback) const;
  std::vector<double> getFloats(const std::string& name) const;
  const TensorData& getTensor(const std::string& name) const;

 private:
  const AttributeValue& find(const std::string& name) const;
  std::map<std::string, AttributeValue> values_;
};

}  // namespace deeploy
