#include "ir/attributes.h"

#include <cmath>

#include "ir/error.h"

namespace deeploy {

const AttributeValue& Attributes::find(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw Error("missing attribute '" + name + "'");
  return it->second;
}

int64_t Attributes::getInt(const std::string& name) const {
  const AttributeValue& v = find(name);
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  double d = getFloat(name);
  if (std::nearbyint(d) != d) throw Error("attribute '" + name + "' must be an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

int64_t Attributes::getInt(const std::string& name, int64_t fallback) const {
  return has(name) ? getInt(name) : fallback;
}

double Attributes::getFloat(const std::string& name) const {
  const AttributeValue& v = find(name);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto* t = std::get_if<TensorData>(&v); t && t->size() == 1) return t->getDouble(0);
  if (auto* l = std::get_if<std::vector<double>>(&v); l && l->size() == 1) return (*l)[0];
  if (auto* l = std::get_if<std::vector<int64_t>>(&v); l && l->size() == 1) return static_cast<double>((*l)[0]);
  throw Error("attribute '" + name + "' must be a scalar number");
}

double Attributes::getFloat(const std::string& name, double fallback) const {
  return has(name) ? getFloat(name) : fallback;
}

std::string Attributes::getString(const std::string& name, const std::string& fallback) const {
  if (!has(name)) return fallback;
  if (auto* s = std::get_if<std::string>(&find(name))) return *s;
  throw Error("attribute '" + name + "' must be a string");
}

std::vector<int64_t> Attributes::getInts(const std::string& name) const {
  const AttributeValue& v = find(name);
  if (auto* l = std::get_if<std::vector<int64_t>>(&v)) return *l;
  if (auto* i = std::get_if<int64_t>(&v)) return {*i};
  if (auto* t = std::get_if<TensorData>(&v); t && t->allIntegral()) return t->toInts();
  throw Error("attribute '" + name + "' must be a list of integers");
}

std::vector<int64_t> Attributes::getInts(const std::string& name, std::vector<int64_t> fallback) const {
  return has(name) ? getInts(name) : fallback;
}

std::vector<double> Attributes::getFloats(const std::string& name) const {
  const AttributeValue& v = find(name);
  if (auto* l = std::get_if<std::vector<double>>(&v)) return *l;
  if (auto* l = std::get_if<std::vector<int64_t>>(&v)) return {l->begin(), l->end()};
  if (auto* t = std::get_if<TensorData>(&v)) return t->toDoubles();
  return {getFloat(name)};
}

const TensorData& Attributes::getTensor(const std::string& name) const {
  if (auto* t = std::get_if<TensorData>(&find(name))) return *t;
  throw Error("attribute '" + name + "' must be a tensor");
}

}  // namespace deeploy
