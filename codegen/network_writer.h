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

// What the steps of one program (e.g. decode and prefill over the same KV caches) share: constant
// arrays, one per distinct contents; file-scope definitions; includes; the activation arena and the
// compute-level arena (steps never run at the same time); and the caches' buffers.
class ProgramParts {
 public:
  ProgramParts(std::string prefix, std::string constantSection)
      : prefix_(std::move(prefix)), constantSection_(std::move(constantSection)) {}

  // The array holding `value`; arrays of equal type and contents are emitted once (layers, steps and
  // tiles share them).
  std::string constant(const TensorData& value, const std::string& hint) {
    std::string key = std::string(dtypeName(value.dtype())) + ":" +
                      std::string(reinterpret_cast<const char*>(value.data()), value.byteSize());
    auto it = constantOfContents_.find(key);
    if (it != constantOfContents_.end()) return it->second;
    std::string name = prefix_ + "_c" + std::to_string(constantOfContents_.size()) + "_" + cIdentifier(hint).substr(0, 32);
    int64_t count = std::max<int64_t>(value.size(), 1);
    constants_ << "static const " << cTypeName(value.dtype()) << " " << name << "[" << count << "]" << constantSection_
               << " = {\n  "
               << cInitializerList(value) << "\n};\n";
    constantBytes_ += value.byteSize();
    return constantOfContents_.emplace(key, name).first->second;
  }

  void define(const std::string& key, const std::string& code) {
    if (definedKeys_.insert(key).second) definitions_ << code << "\n";
  }

  // A KV cache's persistent buffer, named after the cache so that every step finds the same one.
  std::string stateBuffer(const std::string& tensorName) const { return prefix_ + "_state_" + cIdentifier(tensorName); }
  std::string arena() const { return prefix_ + "_arena"; }
  std::string l1() const { return prefix_ + "_l1"; }
  const std::string& prefix() const { return prefix_; }
  std::set<std::string>& includes() { return includes_; }
  std::string definitions() const { return definitions_.str(); }
  std::string constants() const { return constants_.str(); }
  size_t constantBytes() const { return constantBytes_; }

 private:
  std::string prefix_;
  std::string constantSection_;  // after each constant's declarator
  std::map<std::string, std::string> constantOfContents_;
  std::ostringstream constants_, definitions_;
  std::set<std::string> definedKeys_;
  std::set<std::string> includes_;
  size_t constantBytes_ = 0;
};

// Writes one step of a program: its run function's statements and its core jobs, naming its own
// symbols with options.prefix and shared ones through ProgramParts.
class NetworkWriter {
 public:
  NetworkWriter(const Graph& graph, const ActivationMemory& memory, const CodegenOptions& options, ProgramParts& parts)
      : graph_(graph), memory_(memory), options_(options), parts_(parts) {}

  std::string arenaPointer(TensorId id, bool isConst) const {
    const Tensor& t = graph_.tensor(id);
    return std::string("((") + (isConst ? "const " : "") + std::string(cTypeName(t.dtype)) + " *)(" + arena() + " + " +
           std::to_string(memory_.offsetOfTensor(id)) + "))";
  }

  // A KV cache's persistent buffer (Graph::kvCache), outside the arena.
  std::string stateBuffer(TensorId id) const { return parts_.stateBuffer(graph_.tensor(id).name); }
  std::string statePointer(TensorId id, bool isConst) const {
    return std::string("((") + (isConst ? "const " : "") + std::string(cTypeName(graph_.tensor(id).dtype)) + " *)" +
           stateBuffer(id) + ")";
  }

  std::string tensorPointer(TensorId id, bool isConst) {
    const Tensor& t = graph_.tensor(id);
    if (graph_.kvCache && graph_.kvCache->isState(id)) return statePointer(id, isConst);
    if (!t.isConstant()) return arenaPointer(id, isConst);
    return constant(*t.constant, t.name);
  }

  std::string constant(const TensorData& value, const std::string& hint) { return parts_.constant(value, hint); }
  void define(const std::string& key, const std::string& code) { parts_.define(key, code); }
  // Functions that run on the cluster's cores; they follow the constants they use.
  void addJob(const std::string& code) { jobs_ << code << "\n"; }
  std::string jobs() const { return jobs_.str(); }
  const Graph& graph() const { return graph_; }

  std::string arena() const { return parts_.arena(); }
  std::string l1() const { return parts_.l1(); }
  std::ostringstream& body() { return body_; }
  std::set<std::string>& includes() { return parts_.includes(); }
  const ActivationMemory& memory() const { return memory_; }
  const CodegenOptions& options() const { return options_; }

 private:
  const Graph& graph_;
  const ActivationMemory& memory_;
  const CodegenOptions& options_;
  ProgramParts& parts_;
  std::ostringstream body_, jobs_;
};

}  // namespace deeploy
