// Collects what the C generator writes for a network: constant arrays, includes, file-scope
// definitions and the statements of the run function.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "codegen/c_codegen.h"
#include "codegen/c_literals.h"
#include "ir/graph.h"

namespace deeploy {

inline std::string cIdentifier(const std::string& text) {
  std::string id;
  for (char c : text) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

class NetworkWriter {
 public:
  NetworkWriter(const Graph& graph, const ActivationMemory& memory, const CodegenOptions& options)
      : graph_(graph), memory_(memory), options_(options) {}

  std::string arenaPointer(TensorId id, bool isConst) const {
    const Tensor& t = graph_.tensor(id);
    return std::string("((") + (isConst ? "const " : "") + std::string(cTypeName(t.dtype)) + " *)(" + arena() + " + " +
           std::to_string(memory_.offsetOfTensor(id)) + "))";
  }

  // A KV cache's persistent buffer (Graph::kvCache), outside the arena.
  std::string stateBuffer(TensorId id) const { return options_.prefix + "_state_" + cIdentifier(graph_.tensor(id).name); }
  std::string statePointer(TensorId id, bool isConst) const {
    return std::string("((") + (isConst ? "const " : "") + std::string(cTypeName(graph_.tensor(id).dtype)) + " *)" +
           stateBuffer(id) + ")";
  }

  std::string tensorPointer(TensorId id, bool isConst) {
    const Tensor& t = graph_.tensor(id);
    if (graph_.kvCache && graph_.kvCache->isState(id)) return statePointer(id, isConst);
    if (!t.isConstant()) return arenaPointer(id, isConst);
    auto it = constantOfTensor_.find(id);
    if (it == constantOfTensor_.end()) it = constantOfTensor_.emplace(id, addConstant(*t.constant, t.name)).first;
    return it->second;
  }

  std::string addConstant(const TensorData& value, const std::string& hint) {
    std::string name = options_.prefix + "_c" + std::to_string(constantCount_++) + "_" + cIdentifier(hint).substr(0, 32);
    int64_t count = std::max<int64_t>(value.size(), 1);
    constants_ << "static const " << cTypeName(value.dtype()) << " " << name << "[" << count << "] = {\n  "
               << cInitializerList(value) << "\n};\n";
    constantBytes_ += value.byteSize();
    return name;
  }

  // Like addConstant, but arrays of equal type and contents are emitted once (tiles share slices).
  std::string sharedConstant(const TensorData& value, const std::string& hint) {
    std::string key = std::string(dtypeName(value.dtype())) + ":" +
                      std::string(reinterpret_cast<const char*>(value.data()), value.byteSize());
    auto it = constantOfContents_.find(key);
    if (it == constantOfContents_.end()) it = constantOfContents_.emplace(key, addConstant(value, hint)).first;
    return it->second;
  }

  void define(const std::string& key, const std::string& code) {
    if (definedKeys_.insert(key).second) definitions_ << code << "\n";
  }
  std::string definitions() const { return definitions_.str(); }
  // Functions that run on the cluster's cores; they follow the constants they use.
  void addJob(const std::string& code) { jobs_ << code << "\n"; }
  std::string jobs() const { return jobs_.str(); }
  const Graph& graph() const { return graph_; }

  std::string arena() const { return options_.prefix + "_arena"; }
  std::string l1() const { return options_.prefix + "_l1"; }
  std::ostringstream& body() { return body_; }
  std::set<std::string>& includes() { return includes_; }
  const std::string constants() const { return constants_.str(); }
  size_t constantBytes() const { return constantBytes_; }
  const ActivationMemory& memory() const { return memory_; }
  const CodegenOptions& options() const { return options_; }

 private:
  const Graph& graph_;
  const ActivationMemory& memory_;
  const CodegenOptions& options_;
  std::map<TensorId, std::string> constantOfTensor_;
  std::map<std::string, std::string> constantOfContents_;
  std::ostringstream constants_, body_, definitions_, jobs_;
  std::set<std::string> definedKeys_;
  std::set<std::string> includes_;
  size_t constantBytes_ = 0;
  int constantCount_ = 0;
};

}  // namespace deeploy
